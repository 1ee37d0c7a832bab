//! A small blocking connection pool: the registry calls the store from tokio's blocking
//! pool, so a connection is simply borrowed by the thread that runs the query.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use postgres::{Client, NoTls, Statement};

use super::pg_error;
use crate::store::{StoreError, StoreResult};

/// How long a caller waits for a connection when every one is busy.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// One server connection and the statements already prepared on it, so that a hot read
/// is one round trip instead of a parse plus an execute.
pub struct Conn {
    pub client: Client,
    statements: HashMap<&'static str, Statement>,
}

impl Conn {
    /// `sql` prepared on this connection (once per connection).
    pub fn statement(&mut self, sql: &'static str) -> Result<Statement, postgres::Error> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client.prepare(sql)?;
        self.statements.insert(sql, s.clone());
        Ok(s)
    }
}

struct State {
    idle: Vec<Conn>,
    open: usize,
}

/// At most `max` connections to one database, opened on demand.
pub struct Pool {
    config: postgres::Config,
    max: usize,
    state: Mutex<State>,
    returned: Condvar,
}

impl Pool {
    /// A pool of up to `max` connections made from `config` (none opened yet).
    pub fn new(config: postgres::Config, max: usize) -> Pool {
        Pool {
            config,
            max: max.max(2),
            state: Mutex::new(State {
                idle: Vec::new(),
                open: 0,
            }),
            returned: Condvar::new(),
        }
    }

    /// A new connection outside the pool (migrations, the change listener).
    pub fn connect(&self) -> StoreResult<Client> {
        self.config.connect(NoTls).map_err(pg_error)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Borrows an idle connection, opens one, or waits for one to come back.
    pub fn get(&self) -> StoreResult<Pooled<'_>> {
        let mut state = self.lock();
        loop {
            if let Some(conn) = state.idle.pop() {
                return Ok(Pooled {
                    pool: self,
                    conn: Some(conn),
                    broken: false,
                });
            }
            if state.open < self.max {
                state.open += 1;
                drop(state);
                return match self.connect() {
                    Ok(client) => Ok(Pooled {
                        pool: self,
                        conn: Some(Conn {
                            client,
                            statements: HashMap::new(),
                        }),
                        broken: false,
                    }),
                    Err(e) => {
                        self.lock().open -= 1;
                        self.returned.notify_one();
                        Err(e)
                    }
                };
            }
            let (next, timeout) = self
                .returned
                .wait_timeout(state, ACQUIRE_TIMEOUT)
                .unwrap_or_else(|e| e.into_inner());
            state = next;
            if timeout.timed_out() && state.idle.is_empty() && state.open >= self.max {
                return Err(StoreError(format!(
                    "all {} PostgreSQL connections stayed busy for {}s; raise --store-pool-size or check the database",
                    self.max,
                    ACQUIRE_TIMEOUT.as_secs()
                )));
            }
        }
    }
}

/// A borrowed connection; it goes back to the pool when dropped, unless it broke.
pub struct Pooled<'a> {
    pool: &'a Pool,
    conn: Option<Conn>,
    broken: bool,
}

impl Pooled<'_> {
    /// The connection.
    pub fn conn(&mut self) -> &mut Conn {
        self.conn.as_mut().expect("present until dropped")
    }

    /// Marks the connection unusable (a transaction that could not be rolled back).
    pub fn discard(&mut self) {
        self.broken = true;
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        let mut state = self.pool.lock();
        if self.broken || conn.client.is_closed() {
            state.open -= 1;
            drop(state);
            // Closing a client waits for its socket; not while others wait for the lock.
            drop(conn);
        } else {
            state.idle.push(conn);
            drop(state);
        }
        self.pool.returned.notify_one();
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        let state = self.state.get_mut().unwrap_or_else(|e| e.into_inner());
        let idle = std::mem::take(&mut state.idle);
        // A blocking client runs its own small runtime to close, which tokio forbids on
        // an async worker: close them on a thread of their own if dropped there.
        if !idle.is_empty() && tokio::runtime::Handle::try_current().is_ok() {
            let _ = std::thread::Builder::new()
                .name("schemagate-pg-close".into())
                .spawn(move || drop(idle));
        }
    }
}
