//! Claims: the one-transaction commit of a state change (claim, history, locks, outbox,
//! idempotency record), with cancellations mapped back to the item that failed, and reads —
//! one claim, its history, list pages.

use super::*;

/// Why an item is in a transaction, to map cancellation reasons back.
#[derive(Debug, Clone)]
pub(super) enum Role {
    Claim { create: bool, expected: u64 },
    History(u64),
    Acquire(LockKey),
    Release(LockKey),
    Outbox(String),
    Idempotency,
}

pub(super) fn build_err(e: impl std::error::Error + Send + Sync + 'static) -> CommitError {
    CommitError::Unavailable(Unavailable::new("build transaction", e))
}

impl DynamoStore {
    fn transaction(
        &self,
        c: &Commit<'_>,
    ) -> Result<(Vec<TransactWriteItem>, Vec<Role>), CommitError> {
        let outcome: &Outcome = c.outcome;
        let claim = &outcome.claim;
        let id = claim.id();
        let mut items = Vec::new();
        let mut roles = Vec::new();

        // 1. The claim, conditioned on what was read.
        let mut put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(Self::claim_item(claim)))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .expression_attribute_names("#pk", n::PK);
        let (create, expected) = match c.prior {
            None => {
                put = put.condition_expression("attribute_not_exists(#pk)");
                (true, 0)
            }
            Some(rev) => {
                put = put
                    .condition_expression("attribute_exists(#pk) AND #v = :v AND #h = :h")
                    .expression_attribute_names("#v", n::VERSION)
                    .expression_attribute_names("#h", n::HISTORY_SEQ)
                    .expression_attribute_values(":v", num(rev.version))
                    .expression_attribute_values(":h", num(rev.history_seq));
                (false, rev.version)
            }
        };
        items.push(
            TransactWriteItem::builder()
                .put(put.build().map_err(build_err)?)
                .build(),
        );
        roles.push(Role::Claim { create, expected });

        // 2. History entries: append-only, never overwritten.
        for entry in &outcome.history {
            let item: Item = HashMap::from([
                (n::PK.into(), s(keys::claim_pk(id))),
                (n::SK.into(), s(keys::history_sk(entry.seq))),
                (n::ITEM_TYPE.into(), s("history")),
                (n::DOC.into(), s(to_json(entry))),
            ]);
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(#pk)")
                .expression_attribute_names("#pk", n::PK)
                .build()
                .map_err(build_err)?;
            items.push(TransactWriteItem::builder().put(put).build());
            roles.push(Role::History(entry.seq));
        }

        // 3. Locks: take (free, or already ours) and give back (only ours).
        for key in &outcome.locks.acquire {
            let item: Item = HashMap::from([
                (n::PK.into(), s(keys::lock_pk(key))),
                (n::SK.into(), s(keys::LOCK_SK)),
                (n::ITEM_TYPE.into(), s("lock")),
                (n::CLAIM_ID.into(), s(id.to_string())),
                (n::PARTNER_ID.into(), s(claim.partner_id().to_string())),
                (n::DOC.into(), s(to_json(key))),
            ]);
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(#pk) OR #c = :me")
                .expression_attribute_names("#pk", n::PK)
                .expression_attribute_names("#c", n::CLAIM_ID)
                .expression_attribute_values(":me", s(id.to_string()))
                .build()
                .map_err(build_err)?;
            items.push(TransactWriteItem::builder().put(put).build());
            roles.push(Role::Acquire(*key));
        }
        for key in &outcome.locks.release {
            let del = Delete::builder()
                .table_name(&self.table)
                .key(n::PK, s(keys::lock_pk(key)))
                .key(n::SK, s(keys::LOCK_SK))
                .condition_expression("attribute_not_exists(#pk) OR #c = :me")
                .expression_attribute_names("#pk", n::PK)
                .expression_attribute_names("#c", n::CLAIM_ID)
                .expression_attribute_values(":me", s(id.to_string()))
                .build()
                .map_err(build_err)?;
            items.push(TransactWriteItem::builder().delete(del).build());
            roles.push(Role::Release(*key));
        }

        // 4. The outbox.
        for entry in c.outbox {
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(Self::outbox_item(entry)))
                .condition_expression("attribute_not_exists(#pk)")
                .expression_attribute_names("#pk", n::PK)
                .build()
                .map_err(build_err)?;
            items.push(TransactWriteItem::builder().put(put).build());
            roles.push(Role::Outbox(entry.id.clone()));
        }

        // 5. The idempotency record, completed with the change.
        if let Some(idem) = c.idempotency {
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(Self::idempotency_item(idem, claim.updated_at())))
                .build()
                .map_err(build_err)?;
            items.push(TransactWriteItem::builder().put(put).build());
            roles.push(Role::Idempotency);
        }
        Ok((items, roles))
    }

    /// A token that makes a retry of the same transaction by the same writer (the SDK's own
    /// retry after a timeout, or ours) succeed instead of failing on its own version condition
    /// when the first attempt did commit. `cancelled` counts attempts DynamoDB definitely
    /// cancelled (nothing applied): each gets a fresh token, so a cancellation is never replayed.
    fn request_token(c: &Commit<'_>, cancelled: u32) -> String {
        let claim = &c.outcome.claim;
        let mut h = Sha256::new();
        h.update(claim.id().to_string());
        h.update(claim.version().to_be_bytes());
        h.update(claim.history_seq().to_be_bytes());
        for e in c.outbox.iter().take(1) {
            h.update(e.lease_id.as_bytes());
        }
        h.update(to_json(&c.outcome.history));
        h.update(cancelled.to_be_bytes());
        let digest = h.finalize();
        crate::domain::values::hex(&digest[..16])
    }
}

/// How a cancelled transaction maps to a commit error.
pub(super) fn map_cancellation(
    reasons: &[(Option<String>, Option<Item>)],
    roles: &[Role],
) -> Option<CommitError> {
    let failed = |code: &'static str| {
        reasons
            .iter()
            .zip(roles)
            .filter(move |((c, _), _)| c.as_deref() == Some(code))
    };
    // The claim first: a stale writer must hear "stale", not a lock error caused by acting on
    // an old view.
    for ((_, old), role) in failed("ConditionalCheckFailed") {
        if let Role::Claim { create, expected } = role {
            return Some(if *create {
                CommitError::AlreadyExists
            } else {
                CommitError::Stale {
                    expected: *expected,
                    found: old.as_ref().and_then(|i| get_n(i, n::VERSION)),
                }
            });
        }
    }
    let taken: Vec<LockKey> = failed("ConditionalCheckFailed")
        .filter_map(|(_, role)| match role {
            Role::Acquire(k) => Some(*k),
            _ => None,
        })
        .collect();
    if !taken.is_empty() {
        return Some(CommitError::WorkloadTaken { keys: taken });
    }
    if let Some((_, role)) = failed("ConditionalCheckFailed").next() {
        return Some(CommitError::Inconsistent(match role {
            Role::Release(k) => format!("lock {k} is held by another claim"),
            Role::History(seq) => format!("history entry {seq} exists"),
            Role::Outbox(id) => format!("outbox entry {id} exists"),
            other => format!("{other:?}"),
        }));
    }
    // Only transient reasons left: the caller retries.
    None
}

pub(super) const MAX_TRANSACTION_ATTEMPTS: u32 = 5;

impl ClaimWriter for DynamoStore {
    #[tracing::instrument(skip_all, fields(claim_id = %commit.outcome.claim.id(), version = commit.outcome.claim.version()))]
    async fn commit(&self, commit: Commit<'_>) -> Result<(), CommitError> {
        if commit.outcome.write == Write::Nothing {
            return Ok(());
        }
        let (items, roles) = self.transaction(&commit)?;
        self.transact(
            items,
            |cancelled| Self::request_token(&commit, cancelled),
            |reasons| map_cancellation(reasons, &roles),
            commit.prior.map_or(0, |p| p.version),
        )
        .await
    }
}

impl DynamoStore {
    /// Runs one transaction: retried with backoff while DynamoDB cancels it for transient
    /// reasons (`map` says which cancellations are final, mapped to their commit error) or the
    /// call fails transiently; `token` gives the client request token for the attempt after
    /// `cancelled` definite cancellations.
    pub(super) async fn transact(
        &self,
        items: Vec<TransactWriteItem>,
        token: impl Fn(u32) -> String,
        map: impl Fn(&[(Option<String>, Option<Item>)]) -> Option<CommitError>,
        expected_version: u64,
    ) -> Result<(), CommitError> {
        let mut attempt = 0;
        let mut cancelled = 0;
        loop {
            attempt += 1;
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .client_request_token(token(cancelled))
                .send()
                .await;
            let err = match result {
                Ok(_) => return Ok(()),
                Err(e) => e,
            };
            if let Some(TransactWriteItemsError::TransactionCanceledException(tce)) =
                err.as_service_error()
            {
                let reasons: Vec<(Option<String>, Option<Item>)> = tce
                    .cancellation_reasons()
                    .iter()
                    .map(|r| (r.code().map(str::to_owned), r.item().cloned()))
                    .collect();
                if let Some(mapped) = map(&reasons) {
                    tracing::info!(error = %mapped, "transaction refused");
                    return Err(mapped);
                }
                if attempt >= MAX_TRANSACTION_ATTEMPTS {
                    tracing::warn!(attempt, "transaction kept conflicting");
                    return Err(CommitError::Contention);
                }
                cancelled += 1;
            } else if let Some(TransactWriteItemsError::IdempotentParameterMismatchException(_)) =
                err.as_service_error()
            {
                // Another writer used this token with a different change: we lost the race.
                return Err(CommitError::Stale {
                    expected: expected_version,
                    found: None,
                });
            } else if is_transient(&err) && attempt < MAX_TRANSACTION_ATTEMPTS {
                tracing::warn!(attempt, error = %err, "transient transaction error");
            } else {
                return Err(CommitError::Unavailable(Unavailable::new(
                    "transact write",
                    err,
                )));
            }
            tokio::time::sleep(backoff_delay(attempt)).await;
        }
    }
}

pub(super) fn is_transient<R>(err: &SdkError<TransactWriteItemsError, R>) -> bool {
    match err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => true,
        SdkError::ServiceError(_) => matches!(
            err.as_service_error(),
            Some(
                TransactWriteItemsError::TransactionInProgressException(_)
                    | TransactWriteItemsError::ProvisionedThroughputExceededException(_)
                    | TransactWriteItemsError::ThrottlingException(_)
                    | TransactWriteItemsError::RequestLimitExceeded(_)
                    | TransactWriteItemsError::InternalServerError(_)
            )
        ),
        _ => false,
    }
}

/// Exponential backoff with full jitter: 0–25 ms, 0–50 ms, ...
pub(super) fn backoff_delay(attempt: u32) -> StdDuration {
    let cap = 25u64 << attempt.min(6);
    let jitter = u64::from(uuid::Uuid::new_v4().as_bytes()[0]) * cap / 255;
    StdDuration::from_millis(jitter.max(1))
}

impl ClaimReader for DynamoStore {
    async fn get(&self, id: ClaimId) -> Result<Option<Claim>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(n::PK, s(keys::claim_pk(id)))
            .key(n::SK, s(keys::CLAIM_SK))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable("get claim"))?;
        out.item().map(|item| doc(item, "claim")).transpose()
    }

    async fn history(
        &self,
        id: ClaimId,
        after_seq: u64,
        limit: u32,
    ) -> Result<Page<HistoryEntry>, StoreError> {
        history_page(
            self,
            keys::claim_pk(id),
            after_seq,
            limit,
            |h: &HistoryEntry| h.seq,
        )
        .await
    }

    async fn with_history(
        &self,
        id: ClaimId,
        after_seq: u64,
        limit: u32,
    ) -> Result<(Option<Claim>, Page<HistoryEntry>), StoreError> {
        let get = self.get(id);
        claim_and_history(
            self,
            keys::claim_pk(id),
            after_seq,
            limit,
            get,
            |h: &HistoryEntry| h.seq,
        )
        .await
    }

    async fn list(
        &self,
        query: &ClaimQuery,
        filter: &ListFilter,
        limit: u32,
        from: Option<&Continuation>,
    ) -> Result<Page<Listed<Continuation>>, StoreError> {
        let (index, pk_name, pk, sk_name, forward) = match query {
            ClaimQuery::Organisation {
                partner,
                status: None,
            } => (
                n::BY_ORG,
                n::ORG_PK,
                keys::org_pk(partner),
                n::CREATED_SK,
                false,
            ),
            ClaimQuery::Organisation {
                partner,
                status: Some(st),
            } => (
                n::BY_ORG_STATUS,
                n::ORG_STATUS_PK,
                keys::org_status_pk(partner, *st),
                n::CREATED_SK,
                false,
            ),
            ClaimQuery::OrganisationByDue { partner, status } => (
                n::BY_ORG_STATUS_DUE,
                n::ORG_STATUS_PK,
                keys::org_status_pk(partner, *status),
                n::QUEUE_SK,
                true,
            ),
            ClaimQuery::Queue { status } => (
                n::QUEUE,
                n::QUEUE_PK,
                keys::queue_pk(*status),
                n::QUEUE_SK,
                true,
            ),
        };
        let key_names = [n::PK, n::SK, pk_name, sk_name];
        let start = from
            .map(|c| decode_start_key(c, &key_names, pk_name, &pk))
            .transpose()?;
        let mut req = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(index)
            .key_condition_expression("#ipk = :ipk")
            .expression_attribute_names("#ipk", pk_name)
            .expression_attribute_values(":ipk", s(pk))
            .scan_index_forward(forward)
            .limit(limit.clamp(1, 100) as i32)
            .set_exclusive_start_key(start);
        let mut conditions = Vec::new();
        if let Some(area) = filter.solution_area {
            conditions.push("#area = :area");
            req = req
                .expression_attribute_names("#area", n::SOLUTION_AREA)
                .expression_attribute_values(":area", s(area.code()));
        }
        if let Some(tenant) = filter.tenant {
            conditions.push("#tenant = :tenant");
            req = req
                .expression_attribute_names("#tenant", n::TENANT)
                .expression_attribute_values(":tenant", s(tenant.to_string()));
        }
        if filter.awaiting_reviewer {
            conditions.push("#awaiting = :awaiting");
            req = req
                .expression_attribute_names("#awaiting", n::AWAITING_REVIEWER)
                .expression_attribute_values(":awaiting", AttributeValue::Bool(true));
        }
        if !conditions.is_empty() {
            req = req.filter_expression(conditions.join(" AND "));
        }
        let out = req.send().await.map_err(unavailable("query claims"))?;
        // Each claim with where the partition resumes after it (its keys in this index) and
        // its index sort key, so pages of several partitions merge in the index's order.
        let items = out
            .items()
            .iter()
            .map(|i| {
                let position: Item = key_names
                    .iter()
                    .filter_map(|k| i.get(*k).map(|v| ((*k).to_owned(), v.clone())))
                    .collect();
                Ok(Listed {
                    claim: doc::<Claim>(i, "claim")?,
                    sort_key: get_s(i, sk_name)
                        .ok_or_else(|| corrupt("claim", "no index sort key"))?
                        .to_owned(),
                    position: encode_start_key(&position),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let next = out.last_evaluated_key().map(encode_start_key);
        Ok(Page { items, next })
    }
}

/// A LastEvaluatedKey (string attributes only, in our design) as opaque bytes.
pub(super) fn encode_start_key(key: &Item) -> Continuation {
    let map: std::collections::BTreeMap<&str, &str> = key
        .iter()
        .filter_map(|(k, v)| v.as_s().ok().map(|v| (k.as_str(), v.as_str())))
        .collect();
    Continuation(to_json(&map).into_bytes())
}

/// Reads a continuation back, accepting only the attributes of this index and only a position
/// inside the partition being queried.
pub(super) fn decode_start_key(
    c: &Continuation,
    allowed: &[&str],
    partition_attr: &str,
    partition: &str,
) -> Result<Item, StoreError> {
    let map: std::collections::BTreeMap<String, String> =
        serde_json::from_slice(&c.0).map_err(|e| corrupt("continuation", e))?;
    if map.len() != allowed.len() || !map.keys().all(|k| allowed.contains(&k.as_str())) {
        return Err(corrupt("continuation", "unexpected attributes"));
    }
    if map.get(partition_attr).map(String::as_str) != Some(partition) {
        return Err(corrupt("continuation", "belongs to another query"));
    }
    Ok(map.into_iter().map(|(k, v)| (k, s(v))).collect())
}
