//! A partnership's KPI scorecard: the facts summed from both parties' records, the KPIs computed by the shared
//! crate, for both parties alike. The records behind a number stay under the rule: drilling down lists only what
//! the caller may read.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::json::{ApiPath, ApiQuery};
use crate::kernel::{self, Partnership};
use crate::state::AppState;
use crate::store;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use baton_domain::batch::ProductRef;
use baton_domain::error::{ApiError, ErrorBody};
use baton_domain::kpi::{Filter, Grain, Month, Period, default_thresholds};
use baton_domain::scorecard::{MAX_MONTHS, ScorecardQuery, ScorecardView, current_lines, months_between};
use chrono::Utc;

fn month(text: Option<&str>, field: &str, default: Month) -> Result<Month, AppError> {
    match text {
        None => Ok(default),
        Some(text) => text.parse().map_err(|e: baton_domain::kpi::PeriodError| {
            ApiError::invalid(field, format!("{e} Write the month as YYYY-MM, e.g. 2026-03.")).into()
        }),
    }
}

/// The range asked for: `to` defaults to this month, `from` to two years before; at most fifteen years.
fn range(query: &ScorecardQuery) -> Result<(Month, Month), AppError> {
    let this_month = Month::of_date(Utc::now().date_naive()).ok_or_else(|| anyhow::anyhow!("no current month"))?;
    let to = month(query.to.as_deref(), "to", this_month)?;
    let two_years_back = (0..23).try_fold(to, |m, _| m.prev()).unwrap_or(to);
    let from = month(query.from.as_deref(), "from", two_years_back)?;
    if from > to {
        return Err(ApiError::invalid("from", "The first month is after the last.").into());
    }
    if months_between(from, to) > MAX_MONTHS {
        return Err(ApiError::invalid("from", format!("Choose at most {MAX_MONTHS} months.")).into());
    }
    Ok((from, to))
}

/// A partnership's KPI scorecard over a range of months.
#[utoipa::path(get, path = "/partnerships/{id}/scorecard", tag = "quality", security(("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "Partnership id"), ScorecardQuery),
    responses((status = 200, body = ScorecardView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    query: ApiQuery<ScorecardQuery>,
) -> Result<Json<ScorecardView>, AppError> {
    let partnership = kernel::read::<Partnership>(&state, &user.profile, &id).await?.into_record();
    let (from, to) = range(&query)?;
    let grain = query.grain.unwrap_or(Grain::Quarter);
    let filter = Filter { site: query.site, product: query.product };
    let (sponsor, cmo) = (partnership.parties.sponsor, partnership.parties.cmo);
    let monthly = store::kpi_months::monthly(&state.db, sponsor.id, cmo.id, from, to, Utc::now().date_naive()).await?;
    let mut conn = state.db.pool.acquire().await?;
    let (sites, products) = store::kpi::choices(&mut conn, &monthly).await?;
    drop(conn);
    let thresholds = default_thresholds();
    let (current, lines) = current_lines(&monthly, filter, grain, from, to, &thresholds)
        .unwrap_or_else(|| (Period::of(to, grain), Vec::new()));
    Ok(Json(ScorecardView {
        partnership: partnership.quality.partnership_id,
        sponsor,
        cmo,
        from,
        to,
        grain,
        filter,
        monthly,
        current,
        lines,
        thresholds,
        sites,
        products: products.into_iter().map(|(id, name)| ProductRef { id, name }).collect(),
    }))
}

/// The scorecard's numbers as CSV, one row per period and KPI; the download is on the audit trail.
#[utoipa::path(get, path = "/partnerships/{id}/scorecard.csv", tag = "quality", security(("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "Partnership id"), ScorecardQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    query: ApiQuery<ScorecardQuery>,
) -> Result<impl IntoResponse, AppError> {
    let (from, to) = range(&query)?;
    let partnership = kernel::download::<Partnership>(&state, &user.profile, &id).await?.into_record();
    let grain = query.grain.unwrap_or(Grain::Quarter);
    let filter = Filter { site: query.site, product: query.product };
    let (sponsor, cmo) = (&partnership.parties.sponsor, &partnership.parties.cmo);
    let monthly = store::kpi_months::monthly(&state.db, sponsor.id, cmo.id, from, to, Utc::now().date_naive()).await?;
    let filename =
        format!("attachment; filename=\"baton-kpi-{}-{}-{from}-{to}.csv\"", user.profile.organisation.name, cmo.name)
            .replace(' ', "-");
    let headers =
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, filename)];
    Ok((headers, baton_domain::scorecard::csv(&monthly, filter, grain, from, to)))
}
