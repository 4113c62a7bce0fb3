//! The router: every module's routes, with the middlewares around them (outermost the fault
//! injection and request log, then, for the REST API only, the rate limits). The top of the
//! module graph: nothing else imports it but the server.

use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

use crate::http::{ApiError, path_account};
use crate::limits::Verdict;
use crate::shared::Shared;

/// Rate limiting for the REST API: counts the call, attaches the limit headers, and answers
/// DocuSign's limit errors.
async fn rate_limit(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let account = path_account(req.uri().path()).unwrap_or("").to_owned();
    let (verdict, headers) = shared.limits.check(&account);
    let mut response = match verdict {
        Verdict::Allowed => next.run(req).await,
        Verdict::Hourly => ApiError::new(
            shared.limit_status,
            "HOURLY_APIINVOCATION_LIMIT_EXCEEDED",
            format!(
                "The maximum number of hourly API invocations has been exceeded. The hourly limit is {}.",
                shared.limits.hourly()
            ),
        )
        .into_response(),
        Verdict::Burst => {
            let (limit, window) = shared.limits.burst();
            ApiError::new(
                shared.limit_status,
                "BURST_APIINVOCATION_LIMIT_EXCEEDED",
                format!(
                    "The maximum number of burst API invocations has been exceeded. The burst limit is {limit} per {} seconds.",
                    window.as_secs()
                ),
            )
            .into_response()
        }
    };
    response.headers_mut().extend(headers);
    response
}

/// Logs every call and applies injected faults ([`crate::faults`]).
async fn faults(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    crate::faults::observe(&shared.faults, &shared.log, req, next).await
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "RESOURCE_NOT_FOUND",
        "The URL provided does not resolve to a resource.",
    )
}

/// The whole application router.
pub fn router(shared: Arc<Shared>) -> Router {
    let rest = crate::connect::routes()
        .merge(crate::settings::routes())
        .merge(crate::publish::api_routes())
        .route("/restapi/{*rest}", axum::routing::any(not_found))
        .route_layer(middleware::from_fn_with_state(shared.clone(), rate_limit));
    Router::new()
        .merge(rest)
        .merge(crate::oauth::routes())
        .merge(crate::control::routes())
        .merge(crate::publish::control_routes())
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(shared.clone(), faults))
        .with_state(shared)
}
