//! Outbox entries: reading a new one from the table's stream, finding due work in the sparse
//! due index, leasing, marking delivered and rescheduling after a failure.

use super::*;

/// The outbox entry a stream record's new image holds, as it was born (its due time is the one
/// [`OutboxStore::lease`] expects to find): `None` if the item is not an outbox entry.
/// `attribute` reads one string attribute of the image (the stream's item type is the
/// function's, not the SDK's).
pub fn announced_entry<'a>(
    attribute: impl Fn(&str) -> Option<&'a str>,
) -> Option<Result<OutboxRef, StoreError>> {
    if attribute(n::ITEM_TYPE) != Some("outbox") {
        return None;
    }
    let entry = attribute(n::DOC)
        .ok_or_else(|| corrupt("outbox record", "no doc attribute"))
        .and_then(|raw| {
            serde_json::from_str::<OutboxEntry>(raw).map_err(|e| corrupt("outbox record", e))
        });
    Some(entry.map(|e| e.reference()))
}

impl DynamoStore {
    /// An UpdateItem on one outbox entry.
    fn outbox_update(
        &self,
        entry: &OutboxRef,
    ) -> aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder {
        self.client
            .update_item()
            .table_name(&self.table)
            .key(n::PK, s(keys::claim_pk(entry.claim_id)))
            .key(n::SK, s(keys::outbox_sk(&entry.entry_id)))
    }
}

impl OutboxStore for DynamoStore {
    async fn due(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<DueWork>, StoreError> {
        let bound = format!("{}#~", sortable(now));
        let mut work = Vec::new();
        for shard in 0..DUE_SHARDS {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(n::DUE)
                .key_condition_expression("#p = :p AND #s < :b")
                .expression_attribute_names("#p", n::DUE_PK)
                .expression_attribute_names("#s", n::DUE_SK)
                .expression_attribute_values(":p", s(keys::due_pk(shard)))
                .expression_attribute_values(":b", s(bound.clone()))
                .limit(limit.clamp(1, 1000) as i32)
                .send()
                .await
                .map_err(unavailable("query due index"))?;
            for item in out.items() {
                let sk =
                    get_s(item, n::DUE_SK).ok_or_else(|| corrupt("due entry", "no sort key"))?;
                work.push(parse_due(sk)?);
            }
        }
        Ok(work)
    }

    async fn lease(
        &self,
        entry: &OutboxRef,
        lease_id: &str,
        until: DateTime<Utc>,
    ) -> Result<Option<OutboxEntry>, StoreError> {
        let result = self
            .outbox_update(entry)
            .update_expression("SET #l = :l, #s = :new")
            .condition_expression("#s = :seen")
            .expression_attribute_names("#l", n::LEASE)
            .expression_attribute_names("#s", n::DUE_SK)
            .expression_attribute_values(":l", s(lease_id))
            .expression_attribute_values(
                ":new",
                s(outbox_due_sk(until, entry.claim_id, &entry.entry_id)),
            )
            .expression_attribute_values(
                ":seen",
                s(outbox_due_sk(entry.due_at, entry.claim_id, &entry.entry_id)),
            )
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
            .send()
            .await;
        match result {
            Ok(out) => {
                let item = out
                    .attributes()
                    .ok_or_else(|| corrupt("outbox entry", "no attributes returned"))?;
                let mut e: OutboxEntry = doc(item, "outbox entry")?;
                e.lease_id = lease_id.to_owned();
                e.lease_until = until;
                e.attempts = get_n(item, n::ATTEMPTS).unwrap_or(0) as u32;
                Ok(Some(e))
            }
            Err(err) if is_conditional_update(&err) => Ok(None),
            Err(err) => Err(Unavailable::new("lease outbox entry", err).into()),
        }
    }

    async fn delivered(
        &self,
        entry: &OutboxRef,
        lease_id: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (names, values) = delivered_attributes(lease_id, at);
        let result = self
            .outbox_update(entry)
            .update_expression(DELIVERED_UPDATE)
            .condition_expression(DELIVERED_CONDITION)
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .send()
            .await;
        held(result, "mark outbox entry delivered")
    }

    async fn retry_at(
        &self,
        entry: &OutboxRef,
        lease_id: &str,
        next_attempt: Option<DateTime<Utc>>,
        error: &str,
    ) -> Result<bool, StoreError> {
        let (pk, at) = match next_attempt {
            Some(at) => (keys::due_pk(keys::due_shard(entry.claim_id)), at),
            None => (keys::DEAD_PK.to_owned(), entry.due_at),
        };
        let result = self
            .outbox_update(entry)
            .update_expression("SET #p = :p, #s = :s, #e = :e ADD #a :one")
            .condition_expression("#l = :l AND attribute_exists(#s)")
            .expression_attribute_names("#p", n::DUE_PK)
            .expression_attribute_names("#s", n::DUE_SK)
            .expression_attribute_names("#e", n::LAST_ERROR)
            .expression_attribute_names("#a", n::ATTEMPTS)
            .expression_attribute_names("#l", n::LEASE)
            .expression_attribute_values(":p", s(pk))
            .expression_attribute_values(
                ":s",
                s(outbox_due_sk(at, entry.claim_id, &entry.entry_id)),
            )
            .expression_attribute_values(":e", s(error.chars().take(500).collect::<String>()))
            .expression_attribute_values(":one", num(1))
            .expression_attribute_values(":l", s(lease_id))
            .send()
            .await;
        held(result, "reschedule outbox entry")
    }
}

/// Marking an outbox entry delivered: it leaves the due index and expires after 30 days, if
/// the lease is still the deliverer's.
pub(super) const DELIVERED_UPDATE: &str = "REMOVE #p, #s SET #d = :at, #ttl = :ttl";
pub(super) const DELIVERED_CONDITION: &str = "#l = :l AND attribute_exists(#s)";

pub(super) fn delivered_attributes(
    lease_id: &str,
    at: DateTime<Utc>,
) -> (HashMap<String, String>, HashMap<String, AttributeValue>) {
    let names = [
        ("#p", n::DUE_PK),
        ("#s", n::DUE_SK),
        ("#d", n::DELIVERED_AT),
        ("#ttl", n::TTL),
        ("#l", n::LEASE),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let values = [
        (":at", s(sortable(at))),
        (":ttl", num((at + Duration::days(30)).timestamp())),
        (":l", s(lease_id)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    (names, values)
}

/// `true` if the conditional update applied, `false` if its condition failed (someone else
/// holds the lease, or the entry moved on).
pub(super) fn held<O, R: std::fmt::Debug + Send + Sync + 'static>(
    result: Result<O, SdkError<aws_sdk_dynamodb::operation::update_item::UpdateItemError, R>>,
    operation: &'static str,
) -> Result<bool, StoreError> {
    match result {
        Ok(_) => Ok(true),
        Err(err) if is_conditional_update(&err) => Ok(false),
        Err(err) => Err(Unavailable::new(operation, err).into()),
    }
}

pub(super) fn is_conditional_update<R>(
    err: &SdkError<aws_sdk_dynamodb::operation::update_item::UpdateItemError, R>,
) -> bool {
    matches!(
        err.as_service_error(),
        Some(aws_sdk_dynamodb::operation::update_item::UpdateItemError::ConditionalCheckFailedException(_))
    )
}
