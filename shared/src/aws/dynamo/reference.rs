//! The reference dataset (SPEC §9): written whole under its own ID, then made current by one
//! conditional write of the pointer, so a reader sees the old dataset or the new one, never a
//! mix. The superseded dataset's items get a TTL instead of being deleted at once, so a reader
//! that read the old pointer a moment ago still finds them.
//!
//! A dataset never changes once written, so a reader need not wait for the pointer before
//! reading records: it reads them from the dataset it last found current *with* the pointer
//! (one BatchGetItem, `gather.rs`), and keeps them when the pointer still names that dataset —
//! one request instead of two in sequence. When the pointer names another (an import
//! happened), it reads again from that one: what it returns always comes from the dataset
//! current when it asked.
//!
//! For the same reason what every request shares — the catalogue, engagements and partner
//! locations — is kept once read, with the dataset's ID ([`KnownDataset`]): a warm process reads
//! only the pointer and the customers' records. Customers' records are read each time: one
//! customer is rarely asked about twice in a process's life, and a cache of them would mostly
//! miss.

use super::claims::{MAX_TRANSACTION_ATTEMPTS, backoff_delay};
use super::*;
use crate::domain::engagement::{
    CustomerRecord, Engagement, EngagementId, PartnerLocation, ReferenceData,
};
use crate::ports::{DatasetInfo, ImportResult, ReferenceKeys, ReferenceStore, ReferenceView};
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};

/// BatchWriteItem's limit per request.
const BATCH_WRITE_MAX: usize = 25;
/// How long a superseded dataset stays readable.
const RETIRED_TTL: Duration = Duration::days(1);

impl DynamoStore {
    /// The current dataset's ID (the SHA-256 of its document), if any was imported.
    pub async fn current_dataset_id(&self) -> Result<Option<String>, StoreError> {
        Ok(self.current_dataset().await?.map(|(id, _)| id))
    }

    /// The current dataset's ID and sequencer, if any was imported: a consistent read, gathered
    /// with the records read beside it (`gather.rs`).
    async fn current_dataset(&self) -> Result<Option<(String, String)>, StoreError> {
        let pointer = (
            keys::REFERENCE_PK.to_owned(),
            keys::REFERENCE_CURRENT_SK.to_owned(),
        );
        let items = self.batch_get(vec![pointer]).await?;
        Ok(items.first().and_then(|i| {
            Some((
                get_s(i, n::DATASET)?.to_owned(),
                get_s(i, n::SEQUENCER).unwrap_or_default().to_owned(),
            ))
        }))
    }

    /// `read` run on the current dataset: beside the pointer's read on the dataset this process
    /// last found current, again after it when the pointer names another. `None` before any
    /// import.
    async fn read_current<T, F, Fut>(&self, read: F) -> Result<Option<T>, StoreError>
    where
        F: Fn(String) -> Fut,
        Fut: std::future::Future<Output = Result<T, StoreError>>,
    {
        let last = self.remembered_dataset();
        let (pointer, early) = match &last {
            Some(dataset) => {
                let (pointer, early) =
                    futures_util::future::join(self.current_dataset(), read(dataset.clone())).await;
                (pointer?, Some(early))
            }
            None => (self.current_dataset().await?, None),
        };
        let Some((current, _)) = pointer else {
            return Ok(None);
        };
        match early {
            Some(early) if last.as_deref() == Some(current.as_str()) => early.map(Some),
            _ => {
                self.remember_dataset(&current);
                read(current).await.map(Some)
            }
        }
    }

    fn known(&self) -> std::sync::MutexGuard<'_, Option<KnownDataset>> {
        self.last_dataset
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn remembered_dataset(&self) -> Option<String> {
        self.known().as_ref().map(|k| k.id.clone())
    }

    /// Remembers `dataset` as the one last found current; what was kept of another is dropped.
    pub(super) fn remember_dataset(&self, dataset: &str) {
        let mut known = self.known();
        if known.as_ref().is_none_or(|k| k.id != dataset) {
            *known = Some(KnownDataset::new(dataset));
        }
    }

    /// Runs `f` on what is kept of `dataset`, if it is the one remembered.
    fn with_known<T>(&self, dataset: &str, f: impl FnOnce(&mut KnownDataset) -> T) -> Option<T> {
        self.known().as_mut().filter(|k| k.id == dataset).map(f)
    }

    /// Records of `dataset` by sort key: the shared ones kept, the rest read in one batch (and
    /// the shared ones among them kept, found or not). Only found records are returned.
    async fn dataset_records(
        &self,
        dataset: &str,
        sort_keys: Vec<String>,
    ) -> Result<Vec<Item>, StoreError> {
        let (mut found, missing) = self
            .with_known(dataset, |k| k.records(&sort_keys))
            .unwrap_or_else(|| (Vec::new(), sort_keys));
        let pk = keys::dataset_pk(dataset);
        let read = self
            .batch_get(missing.iter().map(|sk| (pk.clone(), sk.clone())).collect())
            .await?;
        self.with_known(dataset, |k| k.learn_records(&missing, &read));
        found.extend(read);
        Ok(found)
    }

    /// Writes items in batches of 25, retrying what DynamoDB leaves unprocessed.
    async fn batch_put(&self, items: Vec<Item>) -> Result<(), StoreError> {
        for chunk in items.chunks(BATCH_WRITE_MAX) {
            let mut pending: Vec<WriteRequest> = chunk
                .iter()
                .map(|item| {
                    PutRequest::builder()
                        .set_item(Some(item.clone()))
                        .build()
                        .map(|p| WriteRequest::builder().put_request(p).build())
                        .map_err(|e| corrupt("batch write", e))
                })
                .collect::<Result<_, _>>()?;
            let mut attempt = 0;
            while !pending.is_empty() {
                attempt += 1;
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, std::mem::take(&mut pending))
                    .send()
                    .await
                    .map_err(unavailable("batch write"))?;
                if let Some(left) = out.unprocessed_items().and_then(|u| u.get(&self.table)) {
                    pending = left.clone();
                    if !pending.is_empty() {
                        if attempt >= MAX_TRANSACTION_ATTEMPTS * 2 {
                            return Err(
                                Unavailable::new("batch write", "items left unprocessed").into()
                            );
                        }
                        tokio::time::sleep(backoff_delay(attempt)).await;
                    }
                }
            }
        }
        Ok(())
    }

    /// Every item of a dataset (`prefix`: only those whose sort key starts with it).
    async fn dataset_items(&self, dataset: &str, prefix: &str) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let mut query = self
                .client
                .query()
                .table_name(&self.table)
                .expression_attribute_names("#pk", n::PK)
                .expression_attribute_values(":pk", s(keys::dataset_pk(dataset)))
                .set_exclusive_start_key(start);
            // begins_with an empty string is refused: no prefix, no condition on the sort key
            query = if prefix.is_empty() {
                query.key_condition_expression("#pk = :pk")
            } else {
                query
                    .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                    .expression_attribute_names("#sk", n::SK)
                    .expression_attribute_values(":prefix", s(prefix))
            };
            let out = query
                .send()
                .await
                .map_err(unavailable("query reference data"))?;
            items.extend(out.items().iter().cloned());
            match out.last_evaluated_key() {
                Some(k) => start = Some(k.clone()),
                None => return Ok(items),
            }
        }
    }
}

/// What a process keeps of the dataset it last found current: the records every request shares
/// (the catalogue — every engagement; engagements and partner locations by key, found or not).
/// A dataset never changes once written, so they are true for as long as the ID is.
#[derive(Debug)]
pub(super) struct KnownDataset {
    id: String,
    catalogue: Option<Vec<Item>>,
    /// By sort key; `None`: the dataset has no such record.
    shared: HashMap<String, Option<Item>>,
}

/// The most shared records kept (a dataset has a few engagements, and locations of the partners
/// who use this process); past it, records are read each time.
const SHARED_RECORDS_KEPT: usize = 4096;

impl KnownDataset {
    fn new(id: &str) -> Self {
        Self {
            id: id.to_owned(),
            catalogue: None,
            shared: HashMap::new(),
        }
    }

    fn is_shared(sort_key: &str) -> bool {
        sort_key.starts_with(keys::ENGAGEMENT_SK_PREFIX)
            || sort_key.starts_with(keys::LOCATION_SK_PREFIX)
    }

    /// The record under `sort_key` if it is known: `Some(None)` when known absent. Once the
    /// catalogue is read, every engagement is known.
    fn kept(&self, sort_key: &str) -> Option<Option<Item>> {
        match &self.catalogue {
            Some(catalogue) if sort_key.starts_with(keys::ENGAGEMENT_SK_PREFIX) => Some(
                catalogue
                    .iter()
                    .find(|i| get_s(i, n::SK) == Some(sort_key))
                    .cloned(),
            ),
            _ => self.shared.get(sort_key).cloned(),
        }
    }

    /// The kept records among `sort_keys` (found ones only), and the keys still to read.
    fn records(&self, sort_keys: &[String]) -> (Vec<Item>, Vec<String>) {
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for sk in sort_keys {
            match self.kept(sk) {
                Some(kept) => found.extend(kept),
                None => missing.push(sk.clone()),
            }
        }
        (found, missing)
    }

    /// Keeps the shared records among those `asked` for, as `read` found them (or not).
    fn learn_records(&mut self, asked: &[String], read: &[Item]) {
        for sk in asked.iter().filter(|sk| Self::is_shared(sk)) {
            if self.shared.len() >= SHARED_RECORDS_KEPT {
                return;
            }
            let item = read.iter().find(|i| get_s(i, n::SK) == Some(sk.as_str()));
            self.shared.insert(sk.clone(), item.cloned());
        }
    }
}

fn record_item(dataset: &str, sk: String, json: String) -> Item {
    HashMap::from([
        (n::PK.into(), s(keys::dataset_pk(dataset))),
        (n::SK.into(), s(sk)),
        (n::ITEM_TYPE.into(), s("reference")),
        (n::DOC.into(), s(json)),
    ])
}

impl DynamoStore {
    /// The records `wanted` names in `dataset`: the catalogue (kept, else one Query) beside the
    /// records (the kept ones, the rest in one batch).
    async fn dataset_view(
        &self,
        dataset: String,
        wanted: &ReferenceKeys,
    ) -> Result<ReferenceView, StoreError> {
        let sort_keys = (wanted.engagements.iter().map(keys::engagement_sk))
            .chain(wanted.locations.iter().map(keys::location_sk))
            .chain(wanted.customers.iter().map(keys::customer_sk))
            .collect();
        let catalogue = async {
            match wanted.catalogue {
                true => self.dataset_catalogue(&dataset).await,
                false => Ok(Vec::new()),
            }
        };
        let (catalogue, records) =
            futures_util::future::join(catalogue, self.dataset_records(&dataset, sort_keys)).await;
        let mut view = ReferenceView::default();
        for item in records? {
            let sk = get_s(&item, n::SK).unwrap_or_default();
            if sk.starts_with(keys::ENGAGEMENT_SK_PREFIX) {
                view.engagements
                    .push(doc::<Engagement>(&item, "reference engagement")?);
            } else if sk.starts_with(keys::LOCATION_SK_PREFIX) {
                view.locations
                    .push(doc::<PartnerLocation>(&item, "reference location")?);
            } else {
                view.customers
                    .push(doc::<CustomerRecord>(&item, "reference customer")?);
            }
        }
        view.catalogue = catalogue?
            .iter()
            .map(|i| doc(i, "reference engagement"))
            .collect::<Result<_, _>>()?;
        view.dataset = Some(dataset);
        Ok(view)
    }

    /// Every engagement of `dataset`: kept once read.
    async fn dataset_catalogue(&self, dataset: &str) -> Result<Vec<Item>, StoreError> {
        if let Some(Some(kept)) = self.with_known(dataset, |k| k.catalogue.clone()) {
            return Ok(kept);
        }
        let items = self
            .dataset_items(dataset, keys::ENGAGEMENT_SK_PREFIX)
            .await?;
        self.with_known(dataset, |k| k.catalogue = Some(items.clone()));
        Ok(items)
    }
}

impl ReferenceStore for DynamoStore {
    async fn reference(&self, wanted: &ReferenceKeys) -> Result<ReferenceView, StoreError> {
        Ok(self
            .read_current(|dataset| self.dataset_view(dataset, wanted))
            .await?
            .unwrap_or_default())
    }

    async fn reference_in(
        &self,
        dataset: &str,
        wanted: &ReferenceKeys,
    ) -> Result<ReferenceView, StoreError> {
        self.dataset_view(dataset.to_owned(), wanted).await
    }

    fn kept_catalogue(&self) -> Vec<EngagementId> {
        let known = self.known();
        let catalogue = known.as_ref().and_then(|k| k.catalogue.as_ref());
        catalogue
            .into_iter()
            .flatten()
            .filter_map(|i| get_s(i, n::SK)?.strip_prefix(keys::ENGAGEMENT_SK_PREFIX))
            .filter_map(|id| EngagementId::parse(id).ok())
            .collect()
    }

    #[tracing::instrument(skip_all, fields(dataset = %info.id))]
    async fn import(
        &self,
        data: &ReferenceData,
        info: &DatasetInfo,
    ) -> Result<ImportResult, StoreError> {
        let previous = self.current_dataset().await?;
        if let Some((current, sequencer)) = &previous {
            if current == &info.id {
                return Ok(ImportResult::AlreadyCurrent);
            }
            if sequencer.as_str() >= info.sequencer.as_str() {
                return Ok(ImportResult::Superseded);
            }
        }
        // 1. The whole dataset under its own ID (re-putting an item clears a retirement TTL).
        let id = info.id.as_str();
        let mut items = Vec::new();
        items.extend(
            data.engagements
                .iter()
                .map(|e| record_item(id, keys::engagement_sk(&e.id), to_json(e))),
        );
        items.extend(
            data.partner_locations
                .iter()
                .map(|l| record_item(id, keys::location_sk(&l.location_id), to_json(l))),
        );
        items.extend(
            data.customers
                .iter()
                .map(|c| record_item(id, keys::customer_sk(&c.identifier), to_json(c))),
        );
        self.batch_put(items).await?;
        // 2. Made current, unless a later document was made current meanwhile.
        let pointer: Item = HashMap::from([
            (n::PK.into(), s(keys::REFERENCE_PK)),
            (n::SK.into(), s(keys::REFERENCE_CURRENT_SK)),
            (n::ITEM_TYPE.into(), s("referencePointer")),
            (n::DATASET.into(), s(id)),
            (n::SEQUENCER.into(), s(&info.sequencer)),
            (
                n::DOC.into(),
                s(to_json(&serde_json::json!({
                    "source": info.source,
                    "importedAt": info.imported_at,
                    "engagements": data.engagements.len(),
                    "partnerLocations": data.partner_locations.len(),
                    "customers": data.customers.len(),
                }))),
            ),
        ]);
        let flipped = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(pointer))
            .condition_expression("attribute_not_exists(#pk) OR #seq < :seq")
            .expression_attribute_names("#pk", n::PK)
            .expression_attribute_names("#seq", n::SEQUENCER)
            .expression_attribute_values(":seq", s(&info.sequencer))
            .send()
            .await;
        match flipped {
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.as_service_error(),
                    Some(PutItemError::ConditionalCheckFailedException(_))
                ) =>
            {
                return Ok(ImportResult::Superseded);
            }
            Err(e) => return Err(Unavailable::new("put reference pointer", e).into()),
        }
        self.remember_dataset(id);
        // 3. The previous dataset expires (readers holding its pointer still find it today).
        if let Some((old, _)) = previous {
            let expires = (info.imported_at + RETIRED_TTL).timestamp();
            let retired: Vec<Item> = self
                .dataset_items(&old, "")
                .await?
                .into_iter()
                .map(|mut i| {
                    i.insert(n::TTL.into(), num(expires));
                    i
                })
                .collect();
            self.batch_put(retired).await?;
        }
        Ok(ImportResult::Imported)
    }
}
