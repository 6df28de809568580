//! Starting a transfer: what the draft names must be the sponsor's own or its partner's, and the stages and
//! deliverables come from the sponsor's template.

use super::invalid;
use crate::error::AppError;
use crate::kernel::UnitOfWork;
use crate::store;
use crate::store::stages::NewStage;
use crate::store::transfers::NewTransfer;
use baton_domain::deliverable::{DeliverableInput, DeliverableStatus};
use baton_domain::error::ErrorCode;
use baton_domain::ids::{DeliverableId, StageId, TransferId};
use baton_domain::transfer::TransferDraft;
use chrono::{Datelike, Duration, NaiveDate};

/// Checks every id the draft names, inside the unit of work, and writes the transfer, its stages, deliverables and
/// team. Returns the stage names, for the audit entry.
pub async fn check_and_insert(
    work: &mut UnitOfWork<'_>,
    id: TransferId,
    draft: &TransferDraft,
) -> Result<Vec<String>, AppError> {
    let own = work.user().organisation.id;
    let now = work.now();
    let conn = work.conn();
    if store::setup::owned_product(conn, draft.product, own).await?.is_none() {
        return Err(AppError::new(ErrorCode::NotFound, "Your organisation has no product with this id."));
    }
    if !store::setup::are_partners(conn, own, draft.cmo).await? {
        return Err(invalid("cmo", "Your organisation has no partnership with this CMO."));
    }
    if !store::setup::site_of(conn, draft.sending_site, own).await? {
        return Err(invalid("sending_site", "The sending unit must be one of your organisation's sites."));
    }
    if !store::setup::site_of(conn, draft.receiving_site, draft.cmo).await? {
        return Err(invalid("receiving_site", "The receiving unit must be one of the CMO's sites."));
    }
    for (i, member) in draft.team.iter().enumerate() {
        let org = store::setup::organisation_of(conn, member.user).await?;
        if org != Some(own) && org != Some(draft.cmo) {
            return Err(invalid(&format!("team[{i}].user"), "Team members come from your organisation or the CMO."));
        }
    }
    let template = store::templates::get(conn, own).await?;
    let code = store::transfers::next_code(conn, draft.started_on.year()).await?;
    let transfer = NewTransfer {
        id,
        code: &code,
        product: draft.product,
        sponsor: own,
        cmo: draft.cmo,
        sending_site: draft.sending_site,
        receiving_site: draft.receiving_site,
        started_on: draft.started_on,
        target_completion: draft.target_completion,
    };
    store::transfers::insert(conn, &transfer, now).await?;
    let windows = spread(draft.started_on, draft.target_completion, template.stages.len());
    for ((number, stage), (start, end)) in (1..).zip(&template.stages).zip(windows) {
        let stage_id = StageId(uuid::Uuid::new_v4());
        let (planned_start, planned_end) = (Some(start), Some(end));
        let new = NewStage { id: stage_id, number, name: &stage.name, planned_start, planned_end, actual_start: None };
        store::stages::insert(conn, id, &new, now).await?;
        for title in &stage.deliverables {
            let deliverable = DeliverableInput {
                title: title.clone(),
                description: String::new(),
                owner_org: own,
                owner_person: None,
                due_on: Some(end),
                status: DeliverableStatus::Open,
            };
            store::stages::insert_deliverable(conn, DeliverableId(uuid::Uuid::new_v4()), stage_id, &deliverable, now)
                .await?;
        }
    }
    for member in &draft.team {
        store::transfers::add_member(conn, id, member.user, &member.responsibility).await?;
    }
    Ok(template.stages.into_iter().map(|s| s.name).collect())
}

/// `count` consecutive windows covering `start` to `end`, as even as whole days allow.
fn spread(start: NaiveDate, end: NaiveDate, count: usize) -> Vec<(NaiveDate, NaiveDate)> {
    let days = (end - start).num_days().max(0);
    let count_days = i64::try_from(count.max(1)).unwrap_or(1);
    let at = |k: i64| start + Duration::days(days * k / count_days);
    (0..count_days).take(count).map(|k| (at(k), at(k + 1))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_cover_the_whole_transfer_without_gaps() {
        let start = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
        let end = NaiveDate::from_ymd_opt(2026, 12, 31).expect("date");
        let windows = spread(start, end, 8);
        assert_eq!(windows.len(), 8);
        assert_eq!(windows[0].0, start);
        assert_eq!(windows[7].1, end);
        assert!(windows.windows(2).all(|w| w[0].1 == w[1].0 && w[0].0 < w[0].1));
    }
}
