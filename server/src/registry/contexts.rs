//! Contexts: listing them and deleting an empty one. A context comes into being with
//! its first registration (see `register`) and stays listed, as in Confluent, until
//! `DELETE /contexts/{ctx}` finds it empty.

use super::*;

impl Registry {
    /// `GET /contexts`: the default context `.` first, then every other context by
    /// name; only names starting with `prefix` when one is given; then paginated.
    pub fn list_contexts(
        &self,
        prefix: Option<&str>,
        offset: usize,
        limit: i64,
    ) -> Result<Vec<String>> {
        let mut names = vec![".".to_owned()];
        names.extend(
            self.store
                .contexts()?
                .iter()
                .map(|c| Context::of(c).name().to_owned()),
        );
        if let Some(prefix) = prefix.filter(|p| !p.is_empty()) {
            names.retain(|n| n.starts_with(prefix));
        }
        Ok(paginate(names, offset, limit))
    }

    /// `DELETE /contexts/{ctx}`: forgets a context that holds no subject, soft-deleted
    /// ones included (42211 otherwise, as Confluent's `hasSubjects(ctx, true)`).
    /// Deleting a context that is not listed changes nothing, as in Confluent.
    pub fn delete_context(&self, context: &Context) -> Result<Written<()>> {
        let writer = self.lock_writer()?;
        let occupied = self
            .store
            .all_versions()?
            .iter()
            .any(|(subject, _)| Context::of(subject) == *context);
        if occupied {
            return Err(Error::ContextNotEmpty(context.prefix()));
        }
        let ops = if context.is_default() {
            Vec::new()
        } else {
            vec![Op::SetContext {
                context: context.prefix(),
                present: false,
            }]
        };
        let seq = self.commit(writer, &ops)?;
        Ok(Written { value: (), seq })
    }
}
