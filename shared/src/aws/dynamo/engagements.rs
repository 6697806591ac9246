//! MCI engagement claims: the one-transaction commit (claims, history, the cap, the partner's
//! slot and customer record, outbox, idempotency) with cancellations mapped to the rule that
//! refused them, and the reads the Customers page and registration need.

use super::claims::{build_err, decode_start_key, encode_start_key};
use super::*;
use crate::domain::PartnerId;
use crate::domain::engagement::customers::PartnerCustomer;
use crate::domain::engagement::{
    CustomerIdentifier, EngagementClaim, EngagementHistoryEntry, EngagementId, EngagementStatus,
    PageGroup, Place,
};
use crate::ports::{CustomerStanding, EngagementCommit, EngagementStore};
use aws_sdk_dynamodb::types::Update;

/// Why an item is in an engagement transaction, to map cancellation reasons back.
#[derive(Debug, Clone)]
enum Role {
    Claim { create: bool, expected: u64 },
    Cap(EngagementId),
    Slot(EngagementId),
    Other(String),
}

/// One partition of an index, read a page at a time.
struct IndexPage {
    index: &'static str,
    pk_name: &'static str,
    sk_name: &'static str,
    pk: String,
    oldest_first: bool,
}

impl DynamoStore {
    /// A page of engagement claims from one index partition, resuming where `from` says (a
    /// continuation from another partition is refused).
    async fn engagement_claims_page(
        &self,
        page: IndexPage,
        limit: u32,
        from: Option<&Continuation>,
    ) -> Result<Page<EngagementClaim>, StoreError> {
        let start = from
            .map(|c| {
                decode_start_key(
                    c,
                    &[n::PK, n::SK, page.pk_name, page.sk_name],
                    page.pk_name,
                    &page.pk,
                )
            })
            .transpose()?;
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(page.index)
            .key_condition_expression("#ipk = :ipk")
            .expression_attribute_names("#ipk", page.pk_name)
            .expression_attribute_values(":ipk", s(page.pk))
            .scan_index_forward(page.oldest_first)
            .limit(limit.clamp(1, 100) as i32)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(unavailable("query engagement claims"))?;
        let items = out
            .items()
            .iter()
            .map(|i| doc::<EngagementClaim>(i, "engagement claim"))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page {
            items,
            next: out.last_evaluated_key().map(encode_start_key),
        })
    }

    pub(super) fn engagement_claim_item(c: &EngagementClaim) -> Item {
        let id = c.id();
        let mut item: Item = HashMap::from([
            (n::PK.into(), s(keys::engagement_claim_pk(id))),
            (n::SK.into(), s(keys::CLAIM_SK)),
            (n::ITEM_TYPE.into(), s("engagementClaim")),
            (n::DOC.into(), s(to_json(c))),
            (n::VERSION.into(), num(c.version())),
            (n::HISTORY_SEQ.into(), num(c.history_seq())),
            (n::STATUS.into(), s(c.status().code())),
            (n::PARTNER_ID.into(), s(c.partner_id().to_string())),
            (
                n::ORG_PK.into(),
                s(keys::engagement_org_pk(c.partner_id(), c.engagement_id())),
            ),
            (
                n::ORG_STATUS_PK.into(),
                s(keys::engagement_group_pk(
                    c.partner_id(),
                    c.engagement_id(),
                    c.status().group(),
                )),
            ),
            (
                n::CREATED_SK.into(),
                s(format!("{}#{id}", sortable(c.created_at()))),
            ),
        ]);
        // Reviewers' queues (the `queue` index): oldest submission first, else oldest claim.
        item.insert(n::QUEUE_PK.into(), s(keys::engagement_queue_pk(c.status())));
        item.insert(
            n::QUEUE_SK.into(),
            s(format!(
                "{}#{id}",
                sortable(c.submitted_at().unwrap_or_else(|| c.created_at()))
            )),
        );
        // The sparse due index, while a deadline is pending: the sweep expires it.
        if let Some(due) = c.due_at() {
            item.insert(n::DUE_PK.into(), s(keys::due_pk(keys::due_shard(id))));
            item.insert(n::DUE_SK.into(), s(format!("{}#E#{id}", sortable(due))));
        }
        item
    }

    fn engagement_transaction(
        &self,
        c: &EngagementCommit<'_>,
    ) -> Result<(Vec<TransactWriteItem>, Vec<Role>), CommitError> {
        let mut items = Vec::new();
        let mut roles = Vec::new();
        let mut push = |item: TransactWriteItem, role: Role| {
            items.push(item);
            roles.push(role);
        };
        let put = |item: Item, condition: Option<&str>| {
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .set_condition_expression(condition.map(str::to_owned))
                .expression_attribute_names("#pk", n::PK)
        };
        let mut taken = Vec::new();
        let mut released = Vec::new();
        for outcome in c.outcomes {
            let claim = &outcome.claim;
            let id = claim.id();
            let engagement = claim.engagement_id();
            // 1. The claim, conditioned on what was read.
            let (create, expected, builder) = match c.prior {
                None => (
                    true,
                    0,
                    put(
                        Self::engagement_claim_item(claim),
                        Some("attribute_not_exists(#pk)"),
                    ),
                ),
                Some(rev) => (
                    false,
                    rev.version,
                    put(
                        Self::engagement_claim_item(claim),
                        Some("attribute_exists(#pk) AND #v = :v AND #h = :h"),
                    )
                    .expression_attribute_names("#v", n::VERSION)
                    .expression_attribute_names("#h", n::HISTORY_SEQ)
                    .expression_attribute_values(":v", num(rev.version))
                    .expression_attribute_values(":h", num(rev.history_seq)),
                ),
            };
            let builder = builder.return_values_on_condition_check_failure(
                ReturnValuesOnConditionCheckFailure::AllOld,
            );
            push(
                TransactWriteItem::builder()
                    .put(builder.build().map_err(build_err)?)
                    .build(),
                Role::Claim { create, expected },
            );
            // 2. Its history line, append-only.
            let history: Item = HashMap::from([
                (n::PK.into(), s(keys::engagement_claim_pk(id))),
                (n::SK.into(), s(keys::history_sk(outcome.history.seq))),
                (n::ITEM_TYPE.into(), s("engagementHistory")),
                (n::DOC.into(), s(to_json(&outcome.history))),
            ]);
            push(
                TransactWriteItem::builder()
                    .put(
                        put(history, Some("attribute_not_exists(#pk)"))
                            .build()
                            .map_err(build_err)?,
                    )
                    .build(),
                Role::Other(format!("history entry {}", outcome.history.seq)),
            );
            // 3. The cap and the partner's slot: taken by a new claim, freed by a terminal one.
            let cap_key = keys::cap_pk(engagement, claim.customer_key());
            let slot_key = keys::slot_pk(claim.partner_id(), engagement, claim.customer_key());
            let me = AttributeValue::Ss(vec![id.to_string()]);
            match outcome.place {
                Place::Take { cap } => {
                    let update = Update::builder()
                        .table_name(&self.table)
                        .key(n::PK, s(cap_key))
                        .key(n::SK, s(keys::CAP_SK))
                        .update_expression("ADD #c :me SET #t = :t")
                        .condition_expression("attribute_not_exists(#c) OR size(#c) < :cap")
                        .expression_attribute_names("#c", n::CAP_CLAIMS)
                        .expression_attribute_names("#t", n::ITEM_TYPE)
                        .expression_attribute_values(":me", me)
                        .expression_attribute_values(":t", s("engagementCap"))
                        .expression_attribute_values(":cap", num(cap))
                        .build()
                        .map_err(build_err)?;
                    push(
                        TransactWriteItem::builder().update(update).build(),
                        Role::Cap(engagement.clone()),
                    );
                    let slot: Item = HashMap::from([
                        (n::PK.into(), s(slot_key)),
                        (n::SK.into(), s(keys::SLOT_SK)),
                        (n::ITEM_TYPE.into(), s("engagementSlot")),
                        (n::CLAIM_ID.into(), s(id.to_string())),
                    ]);
                    push(
                        TransactWriteItem::builder()
                            .put(
                                put(slot, Some("attribute_not_exists(#pk) OR #claim = :id"))
                                    .expression_attribute_names("#claim", n::CLAIM_ID)
                                    .expression_attribute_values(":id", s(id.to_string()))
                                    .build()
                                    .map_err(build_err)?,
                            )
                            .build(),
                        Role::Slot(engagement.clone()),
                    );
                    taken.push(format!("{engagement}#{id}"));
                }
                Place::Release => {
                    let update = Update::builder()
                        .table_name(&self.table)
                        .key(n::PK, s(cap_key))
                        .key(n::SK, s(keys::CAP_SK))
                        .update_expression("DELETE #c :me")
                        .expression_attribute_names("#c", n::CAP_CLAIMS)
                        .expression_attribute_values(":me", me)
                        .build()
                        .map_err(build_err)?;
                    push(
                        TransactWriteItem::builder().update(update).build(),
                        Role::Other("cap".into()),
                    );
                    let delete = Delete::builder()
                        .table_name(&self.table)
                        .key(n::PK, s(slot_key))
                        .key(n::SK, s(keys::SLOT_SK))
                        .condition_expression("attribute_not_exists(#pk) OR #claim = :id")
                        .expression_attribute_names("#pk", n::PK)
                        .expression_attribute_names("#claim", n::CLAIM_ID)
                        .expression_attribute_values(":id", s(id.to_string()))
                        .build()
                        .map_err(build_err)?;
                    push(
                        TransactWriteItem::builder().delete(delete).build(),
                        Role::Other("slot held by another claim".into()),
                    );
                    released.push(format!("{engagement}#{id}"));
                }
                Place::Keep => {}
            }
        }
        // 4. The partner's record of the customer: its open claims (one item per customer),
        // and whether it consented once (it is then "known": the Customers page).
        let known = c.outcomes.iter().any(|o| o.customer_known);
        if let Some(first) = c.outcomes.first() {
            let claim = &first.claim;
            let mut sets = vec!["#t = :t", "#cust = if_not_exists(#cust, :cust)"];
            if known {
                sets.push("#k = :true");
            }
            let mut expression = format!("SET {}", sets.join(", "));
            let open_change = if !taken.is_empty() {
                Some(("ADD", taken))
            } else if !released.is_empty() {
                Some(("DELETE", released))
            } else {
                None
            };
            if open_change.is_some() || known {
                let mut update = Update::builder()
                    .table_name(&self.table)
                    .key(n::PK, s(keys::partner_customers_pk(claim.partner_id())))
                    .key(n::SK, s(claim.customer_key().storage_key()))
                    .expression_attribute_names("#t", n::ITEM_TYPE)
                    .expression_attribute_names("#cust", n::DOC)
                    .expression_attribute_values(":t", s("partnerCustomer"))
                    .expression_attribute_values(":cust", s(to_json(claim.customer_key())));
                if known {
                    update = update
                        .expression_attribute_names("#k", n::KNOWN)
                        .expression_attribute_values(":true", AttributeValue::Bool(true));
                }
                if let Some((op, set)) = open_change {
                    expression.push_str(&format!(" {op} #o :set"));
                    update = update
                        .expression_attribute_names("#o", n::OPEN)
                        .expression_attribute_values(":set", AttributeValue::Ss(set));
                }
                push(
                    TransactWriteItem::builder()
                        .update(
                            update
                                .update_expression(expression)
                                .build()
                                .map_err(build_err)?,
                        )
                        .build(),
                    Role::Other("partner customer".into()),
                );
            }
        }
        // 5. The outbox, and the idempotency record completed with the change.
        for entry in c.outbox {
            push(
                TransactWriteItem::builder()
                    .put(
                        put(Self::outbox_item(entry), Some("attribute_not_exists(#pk)"))
                            .build()
                            .map_err(build_err)?,
                    )
                    .build(),
                Role::Other(format!("outbox entry {}", entry.id)),
            );
        }
        if let (Some(idem), Some(first)) = (c.idempotency, c.outcomes.first()) {
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(Self::idempotency_item(idem, first.claim.updated_at())))
                .build()
                .map_err(build_err)?;
            push(
                TransactWriteItem::builder().put(put).build(),
                Role::Other("idempotency".into()),
            );
        }
        Ok((items, roles))
    }

    /// Repeats of the same commit by the same writer share a token (see the CPOR commit's).
    fn engagement_token(c: &EngagementCommit<'_>, cancelled: u32) -> String {
        let mut h = Sha256::new();
        for o in c.outcomes {
            h.update(o.claim.id().to_string());
            h.update(o.claim.version().to_be_bytes());
            h.update(to_json(&o.history));
        }
        for e in c.outbox.iter().take(1) {
            h.update(e.lease_id.as_bytes());
        }
        h.update(cancelled.to_be_bytes());
        crate::domain::values::hex(&h.finalize()[..16])
    }
}

fn map_engagement_cancellation(
    reasons: &[(Option<String>, Option<Item>)],
    roles: &[Role],
) -> Option<CommitError> {
    let failed: Vec<(&Option<Item>, &Role)> = reasons
        .iter()
        .zip(roles)
        .filter(|((c, _), _)| c.as_deref() == Some("ConditionalCheckFailed"))
        .map(|((_, old), role)| (old, role))
        .collect();
    // The claim first (a stale view explains everything else), then the cap, then the slot.
    for (old, role) in &failed {
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
    if let Some((_, Role::Slot(engagement))) =
        failed.iter().find(|(_, r)| matches!(r, Role::Slot(_)))
    {
        return Some(CommitError::AlreadyRegistered {
            engagement: engagement.clone(),
        });
    }
    if let Some((_, Role::Cap(engagement))) = failed.iter().find(|(_, r)| matches!(r, Role::Cap(_)))
    {
        return Some(CommitError::CapReached {
            engagement: engagement.clone(),
        });
    }
    failed.first().map(|(_, role)| {
        CommitError::Inconsistent(match role {
            Role::Other(what) => what.clone(),
            other => format!("{other:?}"),
        })
    })
}

fn partner_customer(item: &Item) -> Result<PartnerCustomer, StoreError> {
    let customer: CustomerIdentifier = doc(item, "partner customer")?;
    let open = match item.get(n::OPEN) {
        Some(AttributeValue::Ss(set)) => set
            .iter()
            .map(|v| {
                let (e, c) = v
                    .rsplit_once('#')
                    .ok_or_else(|| corrupt("partner customer", "open claim"))?;
                Ok((
                    EngagementId::parse(e).map_err(|e| corrupt("partner customer", e))?,
                    ClaimId::parse(c).map_err(|e| corrupt("partner customer", e))?,
                ))
            })
            .collect::<Result<Vec<_>, StoreError>>()?,
        _ => vec![],
    };
    let known = matches!(item.get(n::KNOWN), Some(AttributeValue::Bool(true)));
    Ok(PartnerCustomer {
        customer,
        known,
        open,
    })
}

fn cap_count(item: Option<&Item>) -> usize {
    match item.and_then(|i| i.get(n::CAP_CLAIMS)) {
        Some(AttributeValue::Ss(set)) => set.len(),
        _ => 0,
    }
}

impl EngagementStore for DynamoStore {
    async fn engagement_claim(&self, id: ClaimId) -> Result<Option<EngagementClaim>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(n::PK, s(keys::engagement_claim_pk(id)))
            .key(n::SK, s(keys::CLAIM_SK))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable("get engagement claim"))?;
        out.item()
            .map(|item| doc(item, "engagement claim"))
            .transpose()
    }

    async fn engagement_claims(&self, ids: &[ClaimId]) -> Result<Vec<EngagementClaim>, StoreError> {
        let wanted = ids
            .iter()
            .map(|id| (keys::engagement_claim_pk(*id), keys::CLAIM_SK.to_owned()))
            .collect();
        self.batch_get(wanted)
            .await?
            .iter()
            .map(|i| doc(i, "engagement claim"))
            .collect()
    }

    async fn engagement_with_history(
        &self,
        id: ClaimId,
        after_seq: u64,
        limit: u32,
    ) -> Result<(Option<EngagementClaim>, Page<EngagementHistoryEntry>), StoreError> {
        let pk = keys::engagement_claim_pk(id);
        let get = self.engagement_claim(id);
        claim_and_history(
            self,
            pk,
            after_seq,
            limit,
            get,
            |h: &EngagementHistoryEntry| h.seq,
        )
        .await
    }

    async fn standing(
        &self,
        partner: &PartnerId,
        customer: &CustomerIdentifier,
        engagements: &[EngagementId],
    ) -> Result<CustomerStanding, StoreError> {
        let mut wanted: Vec<(String, String)> = engagements
            .iter()
            .map(|e| (keys::cap_pk(e, customer), keys::CAP_SK.to_owned()))
            .collect();
        let pc_key = (keys::partner_customers_pk(partner), customer.storage_key());
        wanted.push(pc_key.clone());
        let items = self.batch_get(wanted).await?;
        let find = |pk: &str, sk: &str| {
            items
                .iter()
                .find(|i| get_s(i, n::PK) == Some(pk) && get_s(i, n::SK) == Some(sk))
        };
        Ok(CustomerStanding {
            open_claims: engagements
                .iter()
                .map(|e| cap_count(find(&keys::cap_pk(e, customer), keys::CAP_SK)))
                .collect(),
            partner_customer: find(&pc_key.0, &pc_key.1)
                .map(partner_customer)
                .transpose()?,
        })
    }

    async fn open_counts(
        &self,
        engagement: &EngagementId,
        customers: &[CustomerIdentifier],
    ) -> Result<Vec<usize>, StoreError> {
        let wanted = customers
            .iter()
            .map(|c| (keys::cap_pk(engagement, c), keys::CAP_SK.to_owned()))
            .collect();
        let items = self.batch_get(wanted).await?;
        Ok(customers
            .iter()
            .map(|c| {
                let pk = keys::cap_pk(engagement, c);
                cap_count(items.iter().find(|i| get_s(i, n::PK) == Some(pk.as_str())))
            })
            .collect())
    }

    async fn partner_customers(
        &self,
        partner: &PartnerId,
        limit: u32,
        from: Option<&Continuation>,
    ) -> Result<Page<PartnerCustomer>, StoreError> {
        let pk = keys::partner_customers_pk(partner);
        let start = from
            .map(|c| decode_start_key(c, &[n::PK, n::SK], n::PK, &pk))
            .transpose()?;
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", n::PK)
            .expression_attribute_values(":pk", s(pk))
            .limit(limit.clamp(1, 100) as i32)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(unavailable("query partner customers"))?;
        let items = out
            .items()
            .iter()
            .map(partner_customer)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page {
            items,
            next: out.last_evaluated_key().map(encode_start_key),
        })
    }

    async fn engagement_queue(
        &self,
        status: EngagementStatus,
        limit: u32,
        from: Option<&Continuation>,
    ) -> Result<Page<EngagementClaim>, StoreError> {
        let index = IndexPage {
            index: n::QUEUE,
            pk_name: n::QUEUE_PK,
            sk_name: n::QUEUE_SK,
            pk: keys::engagement_queue_pk(status),
            oldest_first: true,
        };
        self.engagement_claims_page(index, limit, from).await
    }

    async fn engagement_claims_in(
        &self,
        partner: &PartnerId,
        engagement: &EngagementId,
        group: PageGroup,
        limit: u32,
        from: Option<&Continuation>,
    ) -> Result<Page<EngagementClaim>, StoreError> {
        let index = IndexPage {
            index: n::BY_ORG_STATUS,
            pk_name: n::ORG_STATUS_PK,
            sk_name: n::CREATED_SK,
            pk: keys::engagement_group_pk(partner, engagement, group),
            oldest_first: false,
        };
        self.engagement_claims_page(index, limit, from).await
    }

    #[tracing::instrument(skip_all, fields(claims = commit.outcomes.len()))]
    async fn commit_engagement(&self, commit: EngagementCommit<'_>) -> Result<(), CommitError> {
        if commit.outcomes.is_empty() {
            return Ok(());
        }
        let (items, roles) = self.engagement_transaction(&commit)?;
        self.transact(
            items,
            |cancelled| Self::engagement_token(&commit, cancelled),
            |reasons| map_engagement_cancellation(reasons, &roles),
            commit.prior.map_or(0, |p| p.version),
        )
        .await
    }
}
