//! The HTTP API as an OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]`
//! annotations and core's API types (`rollcall-core/openapi`): served at `/api/openapi.json`,
//! printed by `rollcall openapi`, and kept in the repo as `docs/openapi.json` (a test checks the
//! three agree, and that every route of the router is documented and every documented route
//! answers).

use axum::Json;
use rollcall_core::api::{
    ApiError, AuditEntry, Counts, CreateJobRequest, DestinationPreview, DestinationSummary,
    EnrollImportBody, ImGroupImport, JobPreview, JobResults, JobState, JobSummary,
    KnownDestination, Me, ProviderStatus, Role, RowOutcome, RowResult, RowState, SaveMapping,
    SavedMapping, Status, Suggestions, WecomEnrollmentsQuery,
};
use rollcall_core::problem::Problem;
use rollcall_core::providers::Provider;
use rollcall_core::roster::{EditedCell, FieldKind, Huiyi31Field, MappingOptions, TableRow};
use rollcall_core::sync::{
    CreateSyncRequest, SyncDelivery, SyncDestination, SyncPerson, SyncState, SyncSummary,
};
use rollcall_core::Text;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Rollcall",
        description = "One import for Tencent Meeting, WeCom, Tencent Cloud IM and 31huiyi. Every request carries the identity the SSO front sets (X-Forwarded-User/Email/Groups); writes also need `X-Rollcall-Csrf: 1` and `Content-Type: application/json`. Paths are relative to `server.base_path`. Provider bodies are the providers' own wire types (their documentation is the authority) and are shown as objects.",
        license(name = "MIT OR Apache-2.0")
    ),
    paths(
        super::api::me,
        super::api::status,
        super::api::create_webinar,
        super::api::list_webinar_enrollments,
        super::api::enroll_import,
        super::api::wecom_enrollments,
        super::api::import_im_members,
        super::api::huiyi31_register,
        super::jobs_api::create,
        super::jobs_api::preview,
        super::jobs_api::destinations,
        super::mappings_api::list,
        super::mappings_api::save,
        super::jobs_api::list,
        super::jobs_api::get_one,
        super::jobs_api::cancel,
        super::jobs_api::resume,
        super::jobs_api::results,
        super::export::results_csv,
        super::export::failed_csv,
        super::privacy::shred,
        super::privacy::list,
        super::privacy::csv,
        super::jobs_api::events,
        super::syncs_api::create,
        super::syncs_api::list,
        super::syncs_api::get_one,
        super::syncs_api::people,
        super::syncs_api::pause,
        super::syncs_api::resume,
        super::syncs_api::stop,
        openapi_json,
        super::healthz,
        super::readyz,
        super::metrics,
    ),
    components(schemas(
        ApiError, Problem, Text, Me, Role, Status, ProviderStatus, Provider, Suggestions,
        CreateJobRequest, TableRow, MappingOptions, FieldKind, JobSummary, JobState,
        DestinationSummary, Counts, RowState, JobResults, RowResult, RowOutcome,
        EnrollImportBody, WecomEnrollmentsQuery, ImGroupImport, JobPreview, DestinationPreview,
        KnownDestination, AuditEntry, CreateSyncRequest, SyncSummary, SyncState,
        SyncDestination, SyncPerson, SyncDelivery, SaveMapping, SavedMapping, EditedCell,
        Huiyi31Field,
    )),
    tags(
        (name = "identity", description = "Who is calling, what is configured"),
        (name = "jobs", description = "Import jobs: create, follow, cancel, resume, results"),
        (name = "personal data", description = "Who read or exported whose data (admins), and removing a job's personal data"),
        (name = "syncs", description = "Continuous sync: a webinar's new enrollees to other destinations while enrollment is open"),
        (name = "providers", description = "Single provider calls, validated by core and signed by the proxy"),
        (name = "operations", description = "Probes and metrics (outside the API's identity check)"),
    )
)]
pub struct ApiDoc;

/// The document as JSON text (pretty, stable order: what `docs/openapi.json` holds).
pub fn document() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises")
}

#[utoipa::path(get, path = "/api/openapi.json", tag = "identity", responses((status = 200, description = "This document", content_type = "application/json")))]
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// The errors every single provider call may answer, written once for their `#[utoipa::path]`s
/// (`ProviderCallReadErrors` for the GET, which takes no body).
#[allow(dead_code)]
#[derive(utoipa::IntoResponses)]
pub enum ProviderCallErrors {
    /// The body is not JSON (`bad_request_body`)
    #[response(status = 400)]
    BadRequestBody(ApiError),
    /// The body is larger than the limit (`body_too_large`)
    #[response(status = 413)]
    BodyTooLarge(ApiError),
    /// No identity from the SSO front
    #[response(status = 401)]
    Unauthenticated(ApiError),
    /// Not allowed for this role
    #[response(status = 403)]
    Forbidden(ApiError),
    /// Invalid input: `problems` lists each; `bad_id` for a path id no provider issues (`.`, `..`, control characters)
    #[response(status = 422)]
    Invalid(ApiError),
    /// The provider refused or failed; `provider_code` and `provider_message` carry its word
    #[response(status = 502)]
    Provider(ApiError),
    /// The provider is not configured on this proxy (`provider_not_configured`)
    #[response(status = 503)]
    NotConfigured(ApiError),
    /// The outcome at the provider is unknown (`provider_outcome_unknown`): check its console
    /// before retrying
    #[response(status = 504)]
    OutcomeUnknown(ApiError),
}

/// [`ProviderCallErrors`] without the body error (a GET).
#[allow(dead_code)]
#[derive(utoipa::IntoResponses)]
pub enum ProviderCallReadErrors {
    /// No identity from the SSO front
    #[response(status = 401)]
    Unauthenticated(ApiError),
    /// Not allowed for this role
    #[response(status = 403)]
    Forbidden(ApiError),
    /// Invalid input: `problems` lists each; `bad_id` for a path id no provider issues (`.`, `..`, control characters)
    #[response(status = 422)]
    Invalid(ApiError),
    /// The provider refused or failed; `provider_code` and `provider_message` carry its word
    #[response(status = 502)]
    Provider(ApiError),
    /// The provider is not configured on this proxy (`provider_not_configured`)
    #[response(status = 503)]
    NotConfigured(ApiError),
    /// The outcome at the provider is unknown (`provider_outcome_unknown`): check its console
    /// before retrying
    #[response(status = 504)]
    OutcomeUnknown(ApiError),
}
