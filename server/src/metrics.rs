//! Prometheus text exposition, hand-written: a request counter and latency histogram
//! per (method, route template, status), a rejected-registration counter, and gauges
//! read from the store at scrape time. Route templates, not raw paths, are the labels,
//! so subject names cannot blow up the series count.

use std::collections::HashMap;
use std::fmt::Write;
use std::hash::BuildHasherDefault;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::hash::{Prehashed, hash_parts};
use crate::store::Counts;

/// Histogram bucket upper bounds, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// One (method, route, status) series. Buckets are not cumulative here (one atomic add
/// per request); the last one is `+Inf`. The count is their sum, so a scrape racing
/// requests still shows a count equal to its `+Inf` bucket.
struct Series {
    method: Box<str>,
    route: Box<str>,
    status: u16,
    sum_nanos: AtomicU64,
    buckets: [AtomicU64; BUCKETS.len() + 1],
}

impl Series {
    fn matches(&self, method: &str, route: &str, status: u16) -> bool {
        self.status == status && *self.method == *method && *self.route == *route
    }

    fn record(&self, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        let bucket = BUCKETS
            .iter()
            .position(|bound| secs <= *bound)
            .unwrap_or(BUCKETS.len());
        self.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }
}

/// Methods counted under their own name; any other counts as `OTHER`, so that a client
/// inventing methods cannot add series without bound.
const METHODS: [&str; 9] = [
    "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "TRACE", "CONNECT",
];

fn method_label(method: &str) -> &'static str {
    METHODS
        .iter()
        .find(|m| **m == method)
        .copied()
        .unwrap_or("OTHER")
}

/// The labels' hash. The label set is small and chosen by the server (route templates,
/// known methods, its own statuses), so a keyed hash buys nothing here and cost most of
/// a cached read's bookkeeping.
fn label_hash(method: &str, route: &str, status: u16) -> u64 {
    hash_parts(u64::from(status), &[method.as_bytes(), route.as_bytes()])
}

/// Request metrics of one server.
#[derive(Default)]
pub struct Metrics {
    /// Series by a hash of their labels: found with borrowed labels, so a request
    /// allocates nothing once its series exists.
    requests: RwLock<HashMap<u64, Vec<Arc<Series>>, BuildHasherDefault<Prehashed>>>,
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
        let method = method_label(method);
        let hash = label_hash(method, route, status);
        {
            let requests = self.requests.read().unwrap_or_else(|e| e.into_inner());
            let found = requests
                .get(&hash)
                .and_then(|v| v.iter().find(|s| s.matches(method, route, status)));
            if let Some(series) = found {
                series.record(elapsed);
                return;
            }
        }
        self.register(hash, method, route, status).record(elapsed);
    }

    fn register(&self, hash: u64, method: &str, route: &str, status: u16) -> Arc<Series> {
        let mut requests = self.requests.write().unwrap_or_else(|e| e.into_inner());
        let slot = requests.entry(hash).or_default();
        if let Some(s) = slot.iter().find(|s| s.matches(method, route, status)) {
            return Arc::clone(s);
        }
        let series = Arc::new(Series {
            method: method.into(),
            route: route.into(),
            status,
            sum_nanos: AtomicU64::new(0),
            buckets: Default::default(),
        });
        slot.push(Arc::clone(&series));
        series
    }

    /// Counts a registration refused as invalid or incompatible.
    pub fn reject_registration(&self) {
        self.rejected.fetch_add(1, Ordering::Relaxed);
    }

    /// The exposition text; `counts` are `None` when the store could not be read.
    pub fn render(&self, counts: Option<Counts>) -> String {
        let mut out = String::new();
        let mut series: Vec<Arc<Series>> = self
            .requests
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .flatten()
            .cloned()
            .collect();
        // Sorted by labels so that the output is stable from scrape to scrape.
        series
            .sort_by(|a, b| (&a.method, &a.route, a.status).cmp(&(&b.method, &b.route, b.status)));
        let snapshots: Vec<(String, [u64; BUCKETS.len() + 1], f64)> = series
            .iter()
            .map(|s| {
                let labels = format!(
                    "method=\"{}\",route=\"{}\",status=\"{}\"",
                    escape(&s.method),
                    escape(&s.route),
                    s.status
                );
                let buckets = std::array::from_fn(|i| s.buckets[i].load(Ordering::Relaxed));
                let sum = s.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
                (labels, buckets, sum)
            })
            .collect();
        out.push_str("# HELP schemagate_http_requests_total HTTP requests answered.\n");
        out.push_str("# TYPE schemagate_http_requests_total counter\n");
        for (labels, buckets, _) in &snapshots {
            let count: u64 = buckets.iter().sum();
            let _ = writeln!(out, "schemagate_http_requests_total{{{labels}}} {count}");
        }
        out.push_str("# HELP schemagate_http_request_duration_seconds Time to answer.\n");
        out.push_str("# TYPE schemagate_http_request_duration_seconds histogram\n");
        for (labels, buckets, sum) in &snapshots {
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(buckets.iter()) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "schemagate_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let count: u64 = buckets.iter().sum();
            let _ = writeln!(
                out,
                "schemagate_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {count}"
            );
            let _ = writeln!(
                out,
                "schemagate_http_request_duration_seconds_sum{{{labels}}} {sum}"
            );
            let _ = writeln!(
                out,
                "schemagate_http_request_duration_seconds_count{{{labels}}} {count}"
            );
        }
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

    #[test]
    fn invented_methods_share_one_series() {
        let m = Metrics::default();
        for i in 0..100 {
            m.observe(&format!("M{i}"), "unmatched", 405, Duration::from_millis(1));
        }
        let text = m.render(None);
        assert!(text.contains(
            "schemagate_http_requests_total{method=\"OTHER\",route=\"unmatched\",status=\"405\"} 100"
        ), "{text}");
        assert!(!text.contains("M1"), "{text}");
    }
}
