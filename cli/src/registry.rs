//! The registry connection: URL and credentials layered from flags, environment and
//! project file, and a bounded fan-out so 500 subjects do not open 500 connections.

use std::future::Future;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};
use schemagate_client::{Auth, Client};

use crate::cli::Global;
use crate::project::Project;
use crate::report::{Item, Note};
use crate::rules::CliRule;

/// Requests in flight at once unless `[registry] concurrency` says otherwise.
const DEFAULT_CONCURRENCY: usize = 8;

/// A client for the project's registry.
fn client(global: &Global, project: &Project) -> Result<Client> {
    let url = global
        .registry
        .clone()
        .or_else(|| project.registry.url.clone())
        .ok_or_else(|| {
            anyhow!(
                "no registry URL: set [registry] url in schemagate.toml, pass --registry or set SCHEMAGATE_REGISTRY_URL"
            )
        })?;
    let timeout = global.timeout.or(project.registry.timeout);
    client_for(&url, timeout, auth_from_env()?, project.registry.retries)
}

/// A client for the registry at `url`, outside a project: `timeout` in seconds
/// (default 10), `retries` after a lost connection (default 2).
pub fn client_for(
    url: &str,
    timeout: Option<f64>,
    auth: Option<Auth>,
    retries: Option<u32>,
) -> Result<Client> {
    let timeout = timeout.unwrap_or(10.0);
    if !(timeout.is_finite() && timeout > 0.0) {
        bail!("the timeout must be a positive number of seconds, not {timeout}");
    }
    let timeout = Duration::from_secs_f64(timeout);
    Ok(Client::builder(url)
        .auth(auth)
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(3)))
        .retries(retries.unwrap_or(2))
        // A CLI run is short and must see what it just registered.
        .latest_ttl(Duration::ZERO)
        .build()?)
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// A client whose registry answered: one probe (`GET /config`) first, so an
/// unreachable registry or refused credentials is one clear error (exit 2), not the
/// same message once per subject.
pub async fn connect(global: &Global, project: &Project) -> Result<Client> {
    let client = client(global, project)?;
    client.level(None).await.map_err(|e| anyhow!(explain(&e)))?;
    Ok(client)
}

/// Credentials from the environment only: they never belong in a committed file.
pub fn auth_from_env() -> Result<Option<Auth>> {
    auth_from("SCHEMAGATE_REGISTRY")
}

/// Credentials from `{prefix}_USER` + `{prefix}_PASSWORD` or `{prefix}_TOKEN`.
pub fn auth_from(prefix: &str) -> Result<Option<Auth>> {
    let (user_var, password_var, token_var) = (
        format!("{prefix}_USER"),
        format!("{prefix}_PASSWORD"),
        format!("{prefix}_TOKEN"),
    );
    match (env(&user_var), env(&password_var), env(&token_var)) {
        (None, None, None) => Ok(None),
        (Some(user), Some(password), None) => Ok(Some(Auth::Basic { user, password })),
        (None, None, Some(token)) => Ok(Some(Auth::Bearer(token))),
        (_, _, Some(_)) => {
            bail!("set either {token_var} or {user_var} and {password_var}, not both")
        }
        (Some(_), None, None) => bail!("{user_var} is set but {password_var} is not"),
        (None, Some(_), None) => bail!("{password_var} is set but {user_var} is not"),
    }
}

/// Most requests in flight at once.
pub fn concurrency(project: &Project) -> usize {
    project
        .registry
        .concurrency
        .unwrap_or(DEFAULT_CONCURRENCY)
        .max(1)
}

/// Runs `jobs` with at most `limit` at once; results come back in job order. Jobs are
/// taken from the iterator as slots free up, so a lazy iterator (a `map` not collected)
/// keeps only `limit` futures alive, however many jobs there are.
pub async fn bounded<T, F>(limit: usize, jobs: impl IntoIterator<Item = F>) -> Vec<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let mut jobs = jobs.into_iter().enumerate();
    let mut running = tokio::task::JoinSet::new();
    let mut results: Vec<(usize, T)> = Vec::new();
    loop {
        while running.len() < limit {
            match jobs.next() {
                Some((i, job)) => {
                    running.spawn(async move { (i, job.await) });
                }
                None => break,
            }
        }
        match running.join_next().await {
            Some(Ok(done)) => results.push(done),
            // A job that panicked is a bug; surface it rather than drop a result.
            Some(Err(e)) => std::panic::resume_unwind(e.into_panic()),
            None => break,
        }
    }
    results.sort_unstable_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, value)| value).collect()
}

/// The item for a subject the registry could not be asked about: one REGISTRY_ERROR
/// note carrying [`explain`]'s advice.
pub fn failed(subject: &str, shown: Option<String>, error: &schemagate_client::Error) -> Item {
    let note = Note::error(CliRule::REGISTRY_ERROR, "", explain(error), None);
    Item::error(subject, shown, note)
}

/// A client error with the advice a CLI user needs on top of the client's message.
pub fn explain(error: &schemagate_client::Error) -> String {
    use schemagate_client::Error as E;
    match error {
        E::Unauthorized { .. } => format!(
            "{error}; check SCHEMAGATE_REGISTRY_USER and SCHEMAGATE_REGISTRY_PASSWORD, or SCHEMAGATE_REGISTRY_TOKEN"
        ),
        E::Unreachable { .. } | E::Timeout { .. } => format!(
            "{error}; is the registry running, and is the URL (--registry, SCHEMAGATE_REGISTRY_URL or [registry] url) right?"
        ),
        _ => error.to_string(),
    }
}
