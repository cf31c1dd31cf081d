//! The metrics every request leaves: its latency and a count by status, labelled with
//! its route pattern and method. The handles are kept per label set once registered:
//! `metrics::counter!` with labels looks the metric up in the recorder on every call (a
//! key built and copied, a hash, a lock shared by all threads), which was a visible
//! share of the cheapest requests' time.

use std::sync::OnceLock;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use metrics::{Counter, Histogram};

use super::middleware::ROUTES;

const METHODS: [&str; 5] = ["GET", "POST", "HEAD", "OPTIONS", "other"];
/// The statuses whose counters are kept; any other is looked up each time (rare ones).
const STATUSES: [u16; 16] = [200, 201, 204, 301, 302, 303, 304, 400, 401, 403, 404, 405, 409, 422, 429, 503];

/// One route and method's handles, each registered on first use, so that only label
/// sets that occurred show up in /metrics.
struct Handles {
    latency: OnceLock<Histogram>,
    by_status: [OnceLock<Counter>; STATUSES.len()],
}

static HANDLES: [[Handles; METHODS.len()]; ROUTES.len()] =
    [const { [const { Handles { latency: OnceLock::new(), by_status: [const { OnceLock::new() }; STATUSES.len()] } }; METHODS.len()] }; ROUTES.len()];

/// Records one request to `ROUTES[route]`.
pub fn record(route: usize, method: &Method, status: StatusCode, elapsed: Duration) {
    let path = ROUTES[route];
    let method_index = match *method {
        Method::GET => 0,
        Method::POST => 1,
        Method::HEAD => 2,
        Method::OPTIONS => 3,
        _ => 4,
    };
    let method = METHODS[method_index];
    let handles = &HANDLES[route][method_index];
    let latency = handles.latency.get_or_init(|| metrics::histogram!("oneid_http_request_duration_seconds", "method" => method, "path" => path));
    latency.record(elapsed.as_secs_f64());
    let status = status.as_u16();
    match STATUSES.iter().position(|s| *s == status) {
        Some(i) => handles.by_status[i].get_or_init(|| requests(method, path, status)).increment(1),
        None => requests(method, path, status).increment(1),
    }
}

fn requests(method: &'static str, path: &'static str, status: u16) -> Counter {
    metrics::counter!("oneid_http_requests_total", "method" => method, "path" => path, "status" => status.to_string())
}
