//! `GET /poe-template`: the proof-of-execution template partners fill in and upload (seed 000:
//! "download a template"). Served from the binary; any signed-in caller may download it.

use cpor::http::{self, Body, Problem, Request, Response};

/// The crate, binary and Lambda function name: its row in `cpor::functions::FUNCTIONS`.
pub const NAME: &str = env!("CARGO_PKG_NAME");

/// The template (Markdown, so it opens anywhere and converts to any document format).
pub const TEMPLATE: &str = include_str!("../template.md");

pub async fn handle(req: Request) -> Response<Body> {
    http::finish(NAME, run(&req))
}

fn run(req: &Request) -> Result<Response<Body>, Problem> {
    http::actor(req)?;
    Ok(Response::builder()
        .status(200)
        .header("content-type", "text/markdown; charset=utf-8")
        .header(
            "content-disposition",
            "attachment; filename=\"proof-of-execution-template.md\"",
        )
        .header("cache-control", "private, max-age=3600")
        .body(Body::Text(TEMPLATE.to_owned()))
        .unwrap_or_default())
}
