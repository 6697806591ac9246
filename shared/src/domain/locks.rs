//! Lock keys for the one-partner-per-workload rule (SPEC §5), derived from a claim's content.
//!
//! Modern Work & Security: one key per (customer tenant, workload). Business Applications: one
//! key per subscription. A claim holds its keys while its status holds workloads
//! ([`Status::holds_workloads`]); the store writes and deletes the lock items in the same
//! transaction as the claim, so two claims can never hold the same key.

use super::catalogue::Product;
use super::content::ClaimContent;
use super::lifecycle::Status;
use super::values::{SubscriptionId, TenantId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LockKey {
    Workload { tenant: TenantId, product: Product },
    Subscription { subscription: SubscriptionId },
}

impl LockKey {
    /// The canonical storage key, e.g. `WL#<tenant>#teams` or `SUB#<subscription>`.
    pub fn storage_key(&self) -> String {
        match self {
            Self::Workload { tenant, product } => format!("WL#{tenant}#{}", product.code()),
            Self::Subscription { subscription } => format!("SUB#{subscription}"),
        }
    }

    /// What the loser of a conflict is told: the workload, never the other partner.
    /// Several keys, each described, in one sentence list (error messages).
    pub fn describe_all(keys: &[LockKey]) -> String {
        keys.iter()
            .map(LockKey::describe)
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn describe(&self) -> String {
        match self {
            Self::Workload { tenant, product } => format!(
                "{} for customer tenant {tenant} is already associated with another partner",
                product.display_name()
            ),
            Self::Subscription { subscription } => {
                format!("subscription {subscription} is already associated with another partner")
            }
        }
    }
}

impl fmt::Display for LockKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.storage_key())
    }
}

/// The keys this content names, whatever the status.
pub fn lock_keys(content: &ClaimContent) -> BTreeSet<LockKey> {
    let tenant = content.customer().tenant_id;
    content
        .products()
        .iter()
        .map(|p| match p.subscription_id {
            Some(subscription) => LockKey::Subscription { subscription },
            None => LockKey::Workload {
                tenant,
                product: p.product,
            },
        })
        .collect()
}

/// The keys a claim with this content holds in this status.
pub fn held_keys(status: Status, content: &ClaimContent) -> BTreeSet<LockKey> {
    if status.holds_workloads() {
        lock_keys(content)
    } else {
        BTreeSet::new()
    }
}

/// What the store must do to the lock items alongside a state change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LockDelta {
    /// Keys to take: the write must fail if another claim holds one.
    pub acquire: BTreeSet<LockKey>,
    /// Keys to give back: delete only if this claim holds them.
    pub release: BTreeSet<LockKey>,
}

impl LockDelta {
    pub fn between(before: &BTreeSet<LockKey>, after: &BTreeSet<LockKey>) -> Self {
        Self {
            acquire: after.difference(before).copied().collect(),
            release: before.difference(after).copied().collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.acquire.is_empty() && self.release.is_empty()
    }
}
