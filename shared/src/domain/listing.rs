//! Lists of claims as a dashboard asks for them: several statuses or a group at once
//! (`status=submitted,under_review`, `status=complete`), newest first or earliest due first,
//! narrowed by claim name prefix, customer domain and overdue deadlines. Each status is one
//! index partition; a page of the list is the merge, in order, of one page read from each.
//!
//! The merge is here, pure: it decides which items of the pages read go out, in which order,
//! and where each partition resumes, so a cursor never skips or repeats a claim.

use super::access::{Actor, ClaimQuery, ListFilter};
use super::claim::Claim;
use super::command::CommandError;
use super::content::ValidationErrors;
use super::lifecycle::Status;
use super::values::{DomainName, PartnerId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Whether a status belongs to a group.
type Member = fn(Status) -> bool;

/// The groups `status` may name beside status codes: seed 004's Customers page lists claims
/// "in a terminal state with no action pending" under **Complete**; the rest are `open`.
pub const STATUS_GROUPS: [(&str, Member); 2] = [
    ("open", |s| !s.is_terminal()),
    ("complete", Status::is_terminal),
];

/// `status=submitted,under_review`, `status=complete`, `status=open,cancelled`: the statuses
/// named, in lifecycle order, each once. An unknown code is the message returned.
pub fn parse_statuses(raw: &str) -> Result<Vec<Status>, String> {
    let mut wanted = [false; Status::ALL.len()];
    for code in raw.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        if let Some(status) = Status::parse(code) {
            wanted[status as usize] = true;
        } else if let Some((_, member)) = STATUS_GROUPS.iter().find(|(g, _)| *g == code) {
            for s in Status::ALL {
                wanted[s as usize] |= member(s);
            }
        } else {
            return Err(format!(
                "'{code}' is neither a status code (such as submitted) nor a group (open, complete)"
            ));
        }
    }
    Ok(Status::ALL
        .into_iter()
        .filter(|s| wanted[*s as usize])
        .collect())
}

/// The order of a list: `-createdAt` (newest first, a partner's default) or `dueAt` (earliest
/// deadline first, claims without one last; a reviewer queue's only order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListOrder {
    Newest,
    DueFirst,
}

impl ListOrder {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "-createdAt" => Some(Self::Newest),
            "dueAt" => Some(Self::DueFirst),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Newest => "-createdAt",
            Self::DueFirst => "dueAt",
        }
    }

    fn of(query: &ClaimQuery) -> Self {
        match query {
            ClaimQuery::Organisation { .. } => Self::Newest,
            ClaimQuery::OrganisationByDue { .. } | ClaimQuery::Queue { .. } => Self::DueFirst,
        }
    }
}

/// The narrowing a list applies to the claims it reads, beyond what the index query filters:
/// a claim name prefix (any case), the customer's domain, and only overdue deadlines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    /// Lower-cased.
    pub name_prefix: Option<String>,
    pub domain: Option<DomainName>,
    /// Only claims whose current deadline (`dueAt`) has passed.
    pub overdue: bool,
}

impl Search {
    pub fn with_name_prefix(mut self, prefix: &str) -> Self {
        let prefix = prefix.trim().to_lowercase();
        self.name_prefix = (!prefix.is_empty()).then_some(prefix);
        self
    }

    /// Whether `claim` is one the list shows at `now`.
    pub fn matches(&self, claim: &Claim, now: DateTime<Utc>) -> bool {
        let content = claim.content();
        self.name_prefix.as_ref().is_none_or(|p| {
            content
                .name()
                .as_str()
                .to_lowercase()
                .starts_with(p.as_str())
        }) && self
            .domain
            .as_ref()
            .is_none_or(|d| content.customer().domain.as_ref() == Some(d))
            && (!self.overdue || claim.due_at().is_some_and(|due| due < now))
    }

    fn scope(&self) -> String {
        format!(
            "{}:{}:{}",
            self.name_prefix.as_deref().unwrap_or("*"),
            self.domain.as_ref().map_or("*", DomainName::as_str),
            if self.overdue { "overdue" } else { "*" }
        )
    }
}

/// A list: the index queries it reads (one per status partition) in one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimList {
    pub queries: Vec<ClaimQuery>,
    pub order: ListOrder,
}

impl ClaimList {
    /// What `actor` may list: [`ClaimQuery::for_actor`] for each status asked for (none: every
    /// status of an organisation), in `order` (default: newest first for an organisation, due
    /// first for a reviewer queue, which has no other order).
    pub fn for_actor(
        actor: &Actor,
        statuses: &[Status],
        partner: Option<PartnerId>,
        order: Option<ListOrder>,
    ) -> Result<Self, CommandError> {
        let mut queries = if statuses.is_empty() {
            vec![ClaimQuery::for_actor(actor, None, partner)?]
        } else {
            statuses
                .iter()
                .map(|s| ClaimQuery::for_actor(actor, Some(*s), partner.clone()))
                .collect::<Result<Vec<_>, _>>()?
        };
        let natural = queries.first().map_or(ListOrder::Newest, ListOrder::of);
        let order = order.unwrap_or(natural);
        match (natural, order) {
            (ListOrder::DueFirst, ListOrder::Newest) => {
                let mut errors = ValidationErrors::default();
                errors.push("sort", "a reviewer queue is sorted by due date (dueAt)");
                return Err(CommandError::Invalid(errors));
            }
            (ListOrder::Newest, ListOrder::DueFirst) => {
                queries = queries
                    .into_iter()
                    .flat_map(|q| match q {
                        ClaimQuery::Organisation { partner, status } => status
                            .map_or(Status::ALL.to_vec(), |s| vec![s])
                            .into_iter()
                            .map(|status| ClaimQuery::OrganisationByDue {
                                partner: partner.clone(),
                                status,
                            })
                            .collect(),
                        other => vec![other],
                    })
                    .collect();
            }
            _ => {}
        }
        Ok(Self { queries, order })
    }

    /// The scope a cursor is sealed to: a cursor of one list (organisation, statuses, order,
    /// filters) cannot be replayed against another.
    pub fn scope(&self, filter: &ListFilter, search: &Search) -> String {
        let queries: Vec<String> = self.queries.iter().map(|q| q.scope(filter)).collect();
        format!(
            "{}|{}|{}",
            queries.join(","),
            self.order.code(),
            search.scope()
        )
    }
}

/// A claim read from a partition, with its index sort key (the list's order) and the position
/// to resume that partition just after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed<P> {
    pub claim: Claim,
    pub sort_key: String,
    pub position: P,
}

/// Where a partition of a list resumes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Resume<P> {
    Start,
    After(P),
    Done,
}

impl<P> Resume<P> {
    /// The same resumption with its position converted (the store's form, the cursor's).
    pub fn map<Q>(self, f: impl FnOnce(P) -> Q) -> Resume<Q> {
        match self {
            Self::Start => Resume::Start,
            Self::After(p) => Resume::After(f(p)),
            Self::Done => Resume::Done,
        }
    }

    /// [`Resume::map`] with a conversion that may fail.
    pub fn try_map<Q, E>(self, f: impl FnOnce(P) -> Result<Q, E>) -> Result<Resume<Q>, E> {
        Ok(match self {
            Self::Start => Resume::Start,
            Self::After(p) => Resume::After(f(p)?),
            Self::Done => Resume::Done,
        })
    }
}

/// One page read from a partition: its items in index order and where the index stopped
/// (`None`: nothing after them).
#[derive(Debug, Clone, PartialEq)]
pub struct PartitionPage<P> {
    pub items: Vec<Listed<P>>,
    pub next: Option<P>,
}

/// Merges the pages read from each partition (`pages[i]` read from `from[i]`; a partition
/// already `Done` gives an empty page) into at most `limit` claims that `keep` accepts, in
/// `order`, and says where each partition resumes. It only takes an item while every
/// partition that may hold more has items left to compare with, so the merge never passes
/// a claim a later page would have put earlier; a page may therefore hold fewer than `limit`
/// claims and still have a continuation. `None` as the continuation: the list is finished.
pub fn merge<P: Clone>(
    order: ListOrder,
    from: &[Resume<P>],
    pages: Vec<PartitionPage<P>>,
    limit: usize,
    keep: impl Fn(&Claim) -> bool,
) -> (Vec<Claim>, Option<Vec<Resume<P>>>) {
    let mut state: Vec<Resume<P>> = from.to_vec();
    let mut heads = vec![0usize; pages.len()];
    let mut out = Vec::new();
    while out.len() < limit {
        // A partition whose page is used up but which has more cannot be compared with.
        let blocked = pages
            .iter()
            .zip(&heads)
            .any(|(p, &h)| h == p.items.len() && p.next.is_some());
        if blocked {
            break;
        }
        let best = pages
            .iter()
            .zip(&heads)
            .enumerate()
            .filter_map(|(i, (p, &h))| p.items.get(h).map(|item| (i, item)))
            .min_by(|(_, a), (_, b)| {
                let by_key = a.sort_key.cmp(&b.sort_key);
                let by_key = match order {
                    ListOrder::Newest => by_key.reverse(),
                    ListOrder::DueFirst => by_key,
                };
                by_key.then_with(|| a.claim.id().cmp(&b.claim.id()))
            })
            .map(|(i, _)| i);
        let Some(i) = best else { break };
        let item = &pages[i].items[heads[i]];
        heads[i] += 1;
        state[i] = Resume::After(item.position.clone());
        if keep(&item.claim) {
            out.push(item.claim.clone());
        }
    }
    for (i, page) in pages.iter().enumerate() {
        if heads[i] == page.items.len() && !matches!(state[i], Resume::Done) {
            state[i] = page
                .next
                .clone()
                .map_or(Resume::Done, |next| Resume::After(next));
        }
    }
    let finished = state.iter().all(|s| matches!(s, Resume::Done));
    (out, (!finished).then_some(state))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PartnerRole;
    use crate::testing::{claim_in_at, monday, partner_in as partner};
    use chrono::Duration;

    #[test]
    fn statuses_and_groups_parse_into_lifecycle_order_once_each() {
        assert_eq!(
            parse_statuses("under_review,submitted,submitted"),
            Ok(vec![Status::Submitted, Status::UnderReview])
        );
        assert_eq!(
            parse_statuses("complete"),
            Ok(vec![
                Status::Cancelled,
                Status::RejectedFinal,
                Status::Ended
            ])
        );
        let open = parse_statuses("open").unwrap();
        assert_eq!(open.len(), Status::ALL.len() - 3);
        assert!(open.iter().all(|s| !s.is_terminal()));
        assert_eq!(
            parse_statuses("open,complete").unwrap(),
            Status::ALL.to_vec()
        );
        assert!(
            parse_statuses("submitted,closed")
                .unwrap_err()
                .contains("'closed'")
        );
        assert_eq!(parse_statuses(""), Ok(vec![]));
    }

    #[test]
    fn a_list_reads_one_partition_per_status_in_the_order_asked() {
        let org = PartnerId::parse("org-a").unwrap();
        let admin = partner("org-a", &[PartnerRole::IncentivesAdmin]);
        let two = [Status::Submitted, Status::UnderReview];
        let newest = ClaimList::for_actor(&admin, &two, None, None).unwrap();
        assert_eq!(newest.order, ListOrder::Newest);
        assert_eq!(
            newest.queries,
            two.map(|s| ClaimQuery::Organisation {
                partner: org.clone(),
                status: Some(s)
            })
        );
        let due = ClaimList::for_actor(&admin, &two, None, Some(ListOrder::DueFirst)).unwrap();
        assert_eq!(
            due.queries,
            two.map(|status| ClaimQuery::OrganisationByDue {
                partner: org.clone(),
                status
            })
        );
        // Every status, by due date: one partition each.
        let all = ClaimList::for_actor(&admin, &[], None, Some(ListOrder::DueFirst)).unwrap();
        assert_eq!(all.queries.len(), Status::ALL.len());
        // A reviewer's queues have only the due order.
        let reviewer = crate::testing::reviewer();
        let queues = ClaimList::for_actor(&reviewer, &two, None, None).unwrap();
        assert_eq!(queues.order, ListOrder::DueFirst);
        assert_eq!(
            queues.queries,
            two.map(|status| ClaimQuery::Queue { status })
        );
        let refused = ClaimList::for_actor(&reviewer, &two, None, Some(ListOrder::Newest));
        assert!(
            matches!(refused, Err(CommandError::Invalid(ref e)) if e.fields().any(|f| f == "sort"))
        );
        // Scopes differ with every part of the list.
        let filter = ListFilter::default();
        let search = Search::default();
        let scopes = [
            newest.scope(&filter, &search),
            due.scope(&filter, &search),
            all.scope(&filter, &search),
            newest.scope(&filter, &Search::default().with_name_prefix("Con")),
            newest.scope(
                &filter,
                &Search {
                    overdue: true,
                    ..Search::default()
                },
            ),
        ];
        let distinct: std::collections::BTreeSet<_> = scopes.iter().collect();
        assert_eq!(distinct.len(), scopes.len());
    }

    #[test]
    fn search_matches_name_prefix_in_any_case_domain_and_overdue() {
        let (claim, _) = claim_in_at(Status::Submitted, monday());
        let name = claim.content().name().as_str().to_owned();
        let due = claim.due_at().unwrap();
        let any = Search::default();
        assert!(any.matches(&claim, due));
        let prefix = Search::default().with_name_prefix(&name[..3].to_uppercase());
        assert!(prefix.matches(&claim, due));
        assert!(
            !Search::default()
                .with_name_prefix("zzz")
                .matches(&claim, due)
        );
        let overdue = Search {
            overdue: true,
            ..Search::default()
        };
        assert!(!overdue.matches(&claim, due));
        assert!(overdue.matches(&claim, due + Duration::seconds(1)));
        let (draft, _) = claim_in_at(Status::Draft, monday());
        assert!(
            !overdue.matches(&draft, due + Duration::days(400)),
            "no deadline, never overdue"
        );
        let other_domain = Search {
            domain: Some(DomainName::parse("elsewhere.example").unwrap()),
            ..Search::default()
        };
        assert!(!other_domain.matches(&claim, due));
        let same = Search {
            domain: Some(DomainName::parse("Contoso.COM").unwrap()),
            ..Search::default()
        };
        assert!(
            same.matches(&claim, due),
            "the fixture's customer is contoso.com"
        );
    }

    fn listed(key: &str) -> Listed<String> {
        let (claim, _) = claim_in_at(Status::Submitted, monday());
        Listed {
            claim,
            sort_key: key.to_owned(),
            position: format!("pos-{key}"),
        }
    }

    fn keys(claims: &[Claim], pages: &[PartitionPage<String>]) -> Vec<String> {
        claims
            .iter()
            .map(|c| {
                pages
                    .iter()
                    .flat_map(|p| &p.items)
                    .find(|l| l.claim.id() == c.id())
                    .map(|l| l.sort_key.clone())
                    .unwrap_or_default()
            })
            .collect()
    }

    #[test]
    fn merging_takes_items_in_order_and_stops_where_a_partition_needs_its_next_page() {
        let a = PartitionPage {
            items: vec![listed("1"), listed("4"), listed("6")],
            next: Some("a-next".to_owned()),
        };
        let b = PartitionPage {
            items: vec![listed("2"), listed("3"), listed("9")],
            next: None,
        };
        let pages = vec![a, b];
        let from = [Resume::Start, Resume::Start];
        let (out, state) = merge(ListOrder::DueFirst, &from, pages.clone(), 10, |_| true);
        // After 6, partition a is used up but has more: 9 must wait for a's next page.
        assert_eq!(keys(&out, &pages), ["1", "2", "3", "4", "6"]);
        assert_eq!(
            state,
            Some(vec![
                Resume::After("a-next".to_owned()),
                Resume::After("pos-3".to_owned())
            ])
        );
        // The limit stops it earlier; each partition resumes after what went out.
        let (out, state) = merge(ListOrder::DueFirst, &from, pages.clone(), 3, |_| true);
        assert_eq!(keys(&out, &pages), ["1", "2", "3"]);
        assert_eq!(
            state,
            Some(vec![
                Resume::After("pos-1".to_owned()),
                Resume::After("pos-3".to_owned())
            ])
        );
        // Newest first is the reverse order.
        let (out, _) = merge(ListOrder::Newest, &from, reversed(&pages), 10, |_| true);
        assert_eq!(keys(&out, &pages), ["9", "6", "4", "3", "2", "1"]);
    }

    fn reversed(pages: &[PartitionPage<String>]) -> Vec<PartitionPage<String>> {
        pages
            .iter()
            .map(|p| PartitionPage {
                items: p.items.iter().rev().cloned().collect(),
                next: None,
            })
            .collect()
    }

    #[test]
    fn filtered_out_claims_are_passed_over_and_a_finished_list_has_no_continuation() {
        let pages = vec![
            PartitionPage {
                items: vec![listed("1"), listed("5")],
                next: None,
            },
            PartitionPage {
                items: vec![],
                next: None,
            },
        ];
        let skip = pages[0].items[0].claim.id();
        let (out, state) = merge(
            ListOrder::DueFirst,
            &[Resume::Start, Resume::Done],
            pages.clone(),
            10,
            |c| c.id() != skip,
        );
        assert_eq!(keys(&out, &pages), ["5"]);
        assert_eq!(state, None);
    }
}
