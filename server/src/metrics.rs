//! Prometheus text exposition, hand-written: a request counter and latency histogram
//! per (method, route template, status), a rejected-registration counter, and gauges
//! read from the store at scrape time. Route templates, not raw paths, are the labels,
//! so subject names cannot blow up the series count.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::store::Counts;

/// Histogram bucket upper bounds, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

/// Request metrics of one server.
#[derive(Default)]
pub struct Metrics {
    /// Keyed by (method, route, status); a BTreeMap keeps the output stable.
    requests: Mutex<BTreeMap<(String, String, u16), Series>>,
    rejected: AtomicU64,
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    /// Records one answered request.
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        let mut requests = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        let series = requests
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default();
        series.count += 1;
        series.sum += secs;
        for (bound, slot) in BUCKETS.iter().zip(series.buckets.iter_mut()) {
            if secs <= *bound {
                *slot += 1;
            }
        }
    }

    /// Counts a registration refused as invalid or incompatible.
    pub fn reject_registration(&self) {
        self.rejected.fetch_add(1, Ordering::Relaxed);
    }

    /// The exposition text; `counts` are `None` when the store could not be read.
    pub fn render(&self, counts: Option<Counts>) -> String {
        let mut out = String::new();
        let requests = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        out.push_str("# HELP schemagate_http_requests_total HTTP requests answered.\n");
        out.push_str("# TYPE schemagate_http_requests_total counter\n");
        for ((method, route, status), s) in requests.iter() {
            let _ = writeln!(
                out,
                "schemagate_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {}",
                escape(method),
                escape(route),
                s.count
            );
        }
        out.push_str("# HELP schemagate_http_request_duration_seconds Time to answer.\n");
        out.push_str("# TYPE schemagate_http_request_duration_seconds histogram\n");
        for ((method, route, status), s) in requests.iter() {
            let labels = format!(
                "method=\"{}\",route=\"{}\",status=\"{status}\"",
                escape(method),
                escape(route)
            );
            for (bound, n) in BUCKETS.iter().zip(s.buckets.iter()) {
                let _ = writeln!(
                    out,
                    "schemagate_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "schemagate_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "schemagate_http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum
            );
            let _ = writeln!(
                out,
                "schemagate_http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        drop(requests);
        out.push_str("# HELP schemagate_registrations_rejected_total Registrations refused as invalid or incompatible.\n");
        out.push_str("# TYPE schemagate_registrations_rejected_total counter\n");
        let _ = writeln!(
            out,
            "schemagate_registrations_rejected_total {}",
            self.rejected.load(Ordering::Relaxed)
        );
        if let Some(c) = counts {
            for (name, help, value) in [
                ("subjects", "Subjects with a live version.", c.subjects),
                ("versions", "Live subject versions.", c.versions),
                ("schemas", "Distinct schemas (ids).", c.schemas),
            ] {
                let _ = writeln!(out, "# HELP schemagate_{name} {help}");
                let _ = writeln!(out, "# TYPE schemagate_{name} gauge");
                let _ = writeln!(out, "schemagate_{name} {value}");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_histograms_and_gauges() {
        let m = Metrics::default();
        m.observe("GET", "/subjects/{s}", 200, Duration::from_millis(2));
        m.reject_registration();
        let text = m.render(Some(Counts {
            subjects: 1,
            versions: 2,
            schemas: 3,
        }));
        assert!(text.contains(
            "schemagate_http_requests_total{method=\"GET\",route=\"/subjects/{s}\",status=\"200\"} 1"
        ));
        assert!(text.contains("le=\"0.0025\"} 1"));
        assert!(text.contains("le=\"0.001\"} 0"));
        assert!(text.contains("schemagate_registrations_rejected_total 1"));
        assert!(text.contains("schemagate_schemas 3"));
    }
}
