//! The words of the history: what went wrong, where, what the investigation found, and what the CAPAs changed.
//! Each deviation text carries its likely root cause, so that closed deviations' causes fit their titles.

use baton_domain::deviation::{Classification, RootCause};

/// What a deviation says, and the cause its investigation most often finds.
pub struct Incident {
    /// The title.
    pub title: &'static str,
    /// The description.
    pub description: &'static str,
    /// The usual root cause.
    pub cause: RootCause,
}

const fn incident(title: &'static str, description: &'static str, cause: RootCause) -> Incident {
    Incident { title, description, cause }
}

use RootCause::{Documentation, Environment, Equipment, Materials, Method, Personnel};

const BIOLOGIC_MINOR: [Incident; 8] = [
    incident(
        "Batch record entry corrected without a second verification",
        "A corrected entry in the executed batch record was not countersigned at the time.",
        Documentation,
    ),
    incident(
        "Bioreactor temperature log gap of 20 minutes",
        "The data historian recorded no temperature for 20 minutes; the local display showed values in range.",
        Equipment,
    ),
    incident(
        "Buffer used 2 hours past its hold time",
        "Equilibration buffer was used 2 hours after its validated 72-hour hold.",
        Method,
    ),
    incident(
        "Line clearance checklist signed after start",
        "The line clearance checklist was signed 30 minutes after processing began.",
        Personnel,
    ),
    incident(
        "Label of sampling vial incomplete",
        "An in-process sample vial lacked the sampling time on its label.",
        Personnel,
    ),
    incident(
        "Cold room excursion to 8.6 °C for 12 minutes",
        "Cold room CR-3 briefly exceeded 8 °C during a door-open event.",
        Environment,
    ),
    incident(
        "Calibration sticker missing on balance",
        "The balance used for buffer preparation had no visible calibration status label.",
        Documentation,
    ),
    incident(
        "pH probe drift at in-process check",
        "The in-process pH probe read 0.08 units high against the reference buffer.",
        Equipment,
    ),
];

const BIOLOGIC_MAJOR: [Incident; 6] = [
    incident(
        "Protein A column used beyond validated cycle count",
        "The capture column ran cycle 152 of a validated 150.",
        Method,
    ),
    incident(
        "Viral filter pre-use integrity test failed",
        "The pre-use integrity test failed; the filter was replaced and retested.",
        Equipment,
    ),
    incident(
        "Wrong lot of cell culture medium dispensed",
        "A medium lot not yet released by QC was dispensed; detected before use.",
        Materials,
    ),
    incident(
        "Low-pH hold 15 minutes short of minimum",
        "The viral inactivation hold ended 15 minutes before its validated minimum.",
        Personnel,
    ),
    incident(
        "Dissolved oxygen below alarm limit for 40 minutes",
        "Dissolved oxygen fell below 20 % for 40 minutes after a sparger blockage.",
        Equipment,
    ),
    incident(
        "Grade B room differential pressure alarm",
        "Differential pressure between grade B and C fell below 10 Pa for 25 minutes.",
        Environment,
    ),
];

const BIOLOGIC_CRITICAL: [Incident; 4] = [
    incident(
        "Bioreactor contamination detected",
        "Bacterial contamination was found in the production bioreactor on day 9.",
        Environment,
    ),
    incident(
        "Sterile filter failed post-use integrity test",
        "The final sterilising filter failed its post-use integrity test.",
        Equipment,
    ),
    incident(
        "Media fill failure on the filling line",
        "A growth-positive unit was found in the filling line's periodic media fill.",
        Method,
    ),
    incident(
        "Mix-up of vial labels on the filling line",
        "Vials of another product's labels were found in the labelling magazine.",
        Personnel,
    ),
];

const TABLET_MINOR: [Incident; 8] = [
    incident(
        "Tablet weight check performed late",
        "An in-process weight check was done 10 minutes after its scheduled time.",
        Personnel,
    ),
    incident(
        "Granulation end-point recorded without time",
        "The end-point of granulation was recorded without its time.",
        Documentation,
    ),
    incident(
        "Dispensary humidity 62 % RH for 30 minutes",
        "Dispensary humidity exceeded 60 % RH for 30 minutes.",
        Environment,
    ),
    incident(
        "Press punch inspection record incomplete",
        "The punch inspection record lacked the second inspector's signature.",
        Documentation,
    ),
    incident(
        "Coating pan spray rate above target for 5 minutes",
        "The spray rate ran 8 % above target for 5 minutes.",
        Equipment,
    ),
    incident(
        "Cleaning status label missing on bin",
        "An intermediate bulk container had no cleaning status label.",
        Personnel,
    ),
    incident(
        "Excipient drum opened in the wrong room",
        "A lactose drum was opened in the staging area instead of the dispensary.",
        Personnel,
    ),
    incident(
        "Balance daily check skipped",
        "The daily check of dispensary balance B-4 was not recorded.",
        Documentation,
    ),
];

const TABLET_MAJOR: [Incident; 6] = [
    incident(
        "Fluid-bed dryer outlet temperature above range",
        "Outlet temperature reached 58 °C against a maximum of 55 °C for 12 minutes.",
        Equipment,
    ),
    incident(
        "Blend uniformity result near the limit",
        "Blend uniformity RSD of 4.8 % against a limit of 5.0 % prompted investigation.",
        Method,
    ),
    incident(
        "API lot with expired retest date dispensed",
        "An API lot past its retest date was dispensed; detected at line clearance.",
        Materials,
    ),
    incident(
        "Tablet hardness trending out of range",
        "Hardness drifted towards the lower limit over the last hour of compression.",
        Equipment,
    ),
    incident(
        "Metal detector failed its challenge test",
        "The metal detector on packaging line PL-4 failed the hourly challenge.",
        Equipment,
    ),
    incident(
        "Blister seal integrity failures",
        "Three blister cards failed the leak test at the start of packaging.",
        Equipment,
    ),
];

const TABLET_CRITICAL: [Incident; 4] = [
    incident(
        "Foreign tablets found in bulk container",
        "Tablets of another product were found in a bulk container of this batch.",
        Personnel,
    ),
    incident(
        "Metal fragment found in granulate",
        "A metal fragment from an impeller blade was found in the dried granulate.",
        Equipment,
    ),
    incident(
        "Wrong API lot charged to the granulator",
        "An API lot allocated to another batch was charged to this one.",
        Materials,
    ),
    incident(
        "Cross-contamination risk after failed cleaning verification",
        "Swab results after cleaning exceeded the carry-over limit.",
        Method,
    ),
];

const STANDALONE: [Incident; 8] = [
    incident(
        "Environmental monitoring excursion in grade C corridor",
        "A settle plate in the grade C corridor exceeded its action limit.",
        Environment,
    ),
    incident(
        "Purified water TOC above alert limit",
        "TOC of purified water at point of use 7 exceeded its alert limit.",
        Environment,
    ),
    incident(
        "Preventive maintenance overdue on HVAC unit",
        "Preventive maintenance of air handling unit AHU-3 was two weeks overdue.",
        Equipment,
    ),
    incident(
        "Training record missing for new operator",
        "A new operator worked in the suite before the training record was approved.",
        Personnel,
    ),
    incident(
        "SOP revision issued without training",
        "A revised cleaning SOP was issued before staff had been trained on it.",
        Documentation,
    ),
    incident(
        "Temperature mapping of warehouse overdue",
        "The annual temperature mapping of the warehouse was not performed on time.",
        Documentation,
    ),
    incident(
        "Supplier certificate of analysis missing a test",
        "A supplier's certificate of analysis omitted the residual solvents result.",
        Materials,
    ),
    incident("Compressed air dew point alarm", "Compressed air dew point exceeded its limit for 3 hours.", Equipment),
];

/// The incidents a deviation of `class` on a batch of a biologic (or a tablet) may describe.
pub fn batch_incidents(biologic: bool, class: Classification) -> &'static [Incident] {
    match (biologic, class) {
        (true, Classification::Minor) => &BIOLOGIC_MINOR,
        (true, Classification::Major) => &BIOLOGIC_MAJOR,
        (true, Classification::Critical) => &BIOLOGIC_CRITICAL,
        (false, Classification::Minor) => &TABLET_MINOR,
        (false, Classification::Major) => &TABLET_MAJOR,
        (false, Classification::Critical) => &TABLET_CRITICAL,
    }
}

/// Incidents raised on a site rather than a batch.
pub fn standalone_incidents() -> &'static [Incident] {
    &STANDALONE
}

/// Rooms and equipment of a biologics plant.
pub const BIOLOGIC_LOCATIONS: [&str; 7] = [
    "Suite 2, production bioreactor BR-2000",
    "Seed laboratory, biosafety cabinet BSC-04",
    "Purification suite, chromatography skid P3",
    "Buffer preparation room B-12",
    "Aseptic filling line F1, grade A",
    "Cold room CR-3",
    "QC microbiology laboratory",
];

/// Rooms and equipment of a tablet plant.
pub const TABLET_LOCATIONS: [&str; 7] = [
    "Dispensary D-1",
    "Granulation suite G-2, high-shear granulator",
    "Fluid-bed dryer FBD-1",
    "Compression room C-3, press P-32",
    "Coating pan CP-2",
    "Packaging line PL-4",
    "QC chemistry laboratory, HPLC-07",
];

/// What an investigation into a deviation with this cause found.
pub fn investigation(cause: RootCause) -> &'static str {
    match cause {
        Equipment => "Equipment history reviewed; a worn component was found and replaced. Calibration confirmed.",
        Materials => {
            "Material traceability reviewed; the supplier lot and its certificate were assessed with the supplier."
        }
        Method => "Process and method reviewed against the validation report; a gap in the procedure was identified.",
        Personnel => "Interviews held and training records reviewed; the step was not performed as trained.",
        Environment => {
            "Monitoring trends and HVAC data reviewed; the excursion was traced to a door and airflow event."
        }
        Documentation => "Records reviewed; the template did not prompt for the missing entry.",
        RootCause::NotDetermined => {
            "Investigated across equipment, materials, method and people; no single cause found."
        }
    }
}

/// The impact assessment of a deviation of `class`.
pub fn impact(class: Classification) -> &'static str {
    match class {
        Classification::Minor => "No impact on product quality; no other batches affected.",
        Classification::Major => "Potential impact assessed with additional testing; no other batches affected.",
        Classification::Critical => "Product quality affected; the batch is not releasable. Adjacent batches assessed.",
    }
}

/// A CAPA's title for a deviation with this cause.
pub fn capa_title(cause: Option<RootCause>) -> &'static str {
    match cause {
        Some(Equipment) => "Add the failed component to preventive maintenance and spare parts",
        Some(Materials) => "Tighten incoming inspection and supplier agreement for the material",
        Some(Method) => "Revise the procedure and revalidate the affected step",
        Some(Personnel) => "Retrain the team and add a second-person check at the step",
        Some(Environment) => "Improve HVAC alarms and door discipline in the area",
        Some(Documentation) => "Revise the batch record template to prompt for the entry",
        Some(RootCause::NotDetermined) | None => "Strengthen monitoring of the step until a cause is found",
    }
}

/// What a CAPA's actions are, by cause.
pub fn capa_actions(cause: Option<RootCause>) -> [&'static str; 4] {
    match cause {
        Some(Equipment) => ["Replace the component", "Update the PM plan", "Stock spare parts", "Trend alarms monthly"],
        Some(Materials) => {
            ["Audit the supplier", "Add an identity test on receipt", "Update the specification", "Trend supplier CoAs"]
        }
        Some(Method) => {
            ["Revise the SOP", "Run a verification batch", "Update the validation report", "Train the operators"]
        }
        Some(Personnel) => [
            "Retrain the operators",
            "Add a second-person check",
            "Update the training matrix",
            "Coach the shift leads",
        ],
        Some(Environment) => {
            ["Repair the door interlock", "Add a pressure alarm", "Review the monitoring plan", "Train on gowning"]
        }
        Some(Documentation) => {
            ["Revise the template", "Review open records", "Train the reviewers", "Audit ten records"]
        }
        Some(RootCause::NotDetermined) | None => {
            ["Add in-process checks", "Trend the parameter", "Review after 3 months", "Report to Helix QA"]
        }
    }
}

/// How a closed CAPA's effectiveness was checked.
pub const EFFECTIVENESS_DONE: &str =
    "No recurrence in the three months after implementation; trend reviewed with Helix QA.";
/// How an open CAPA's effectiveness will be checked.
pub const EFFECTIVENESS_PLANNED: &str = "Trend related deviations for three months after implementation.";
