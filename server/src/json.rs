//! Request extractors whose rejections use the API's JSON error shape instead of axum's plain text.

use crate::error::AppError;
use axum::extract::{FromRequest, FromRequestParts};

/// A JSON body; malformed, oversized or non-JSON bodies become 4xx [`AppError`]s naming the problem.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct ApiJson<T>(pub T);

/// Path parameters, with rejections in the API's error shape.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct ApiPath<T>(pub T);
