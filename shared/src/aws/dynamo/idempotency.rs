//! Idempotency records: a request's key is taken with a conditional put, completed inside the
//! state change's transaction, and released when the request failed.

use super::*;

impl IdempotencyStore for DynamoStore {
    async fn begin(
        &self,
        key: &IdempotencyKey,
        request_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<IdempotencyStart, StoreError> {
        let item: Item = HashMap::from([
            (n::PK.into(), s(keys::idempotency_pk(&key.scope, &key.key))),
            (n::SK.into(), s(keys::IDEMPOTENCY_SK)),
            (n::ITEM_TYPE.into(), s("idempotency")),
            (n::REQUEST_HASH.into(), s(request_hash)),
            (n::STATE.into(), s("pending")),
            (
                n::LEASE_UNTIL.into(),
                num((now + IDEMPOTENCY_PENDING).timestamp()),
            ),
            (n::TTL.into(), num((now + IDEMPOTENCY_TTL).timestamp())),
        ]);
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(
                "attribute_not_exists(#pk) OR #ttl < :now OR (#st = :pending AND #lu < :now AND #rh = :rh)",
            )
            .expression_attribute_names("#pk", n::PK)
            .expression_attribute_names("#ttl", n::TTL)
            .expression_attribute_names("#st", n::STATE)
            .expression_attribute_names("#lu", n::LEASE_UNTIL)
            .expression_attribute_names("#rh", n::REQUEST_HASH)
            .expression_attribute_values(":now", num(now.timestamp()))
            .expression_attribute_values(":pending", s("pending"))
            .expression_attribute_values(":rh", s(request_hash))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        let err = match result {
            Ok(_) => return Ok(IdempotencyStart::Fresh),
            Err(e) => e,
        };
        use aws_sdk_dynamodb::operation::put_item::PutItemError;
        let Some(PutItemError::ConditionalCheckFailedException(ccf)) = err.as_service_error()
        else {
            return Err(Unavailable::new("begin idempotent request", err).into());
        };
        let Some(old) = ccf.item() else {
            // Emulators may not return the old item: read it.
            return self.read_idempotency(key, request_hash).await;
        };
        Ok(classify_idempotency(old, request_hash))
    }

    async fn complete(
        &self,
        completion: &IdempotencyCompletion,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(Self::idempotency_item(completion, now)))
            .send()
            .await
            .map_err(unavailable("complete idempotent request"))?;
        Ok(())
    }

    async fn abandon(&self, key: &IdempotencyKey) -> Result<(), StoreError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key(n::PK, s(keys::idempotency_pk(&key.scope, &key.key)))
            .key(n::SK, s(keys::IDEMPOTENCY_SK))
            .condition_expression("#st = :pending")
            .expression_attribute_names("#st", n::STATE)
            .expression_attribute_values(":pending", s("pending"))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err)
                if matches!(
                    err.as_service_error(),
                    Some(aws_sdk_dynamodb::operation::delete_item::DeleteItemError::ConditionalCheckFailedException(_))
                ) =>
            {
                Ok(())
            }
            Err(err) => Err(Unavailable::new("abandon idempotent request", err).into()),
        }
    }
}

impl DynamoStore {
    async fn read_idempotency(
        &self,
        key: &IdempotencyKey,
        request_hash: &str,
    ) -> Result<IdempotencyStart, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(n::PK, s(keys::idempotency_pk(&key.scope, &key.key)))
            .key(n::SK, s(keys::IDEMPOTENCY_SK))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable("read idempotency record"))?;
        Ok(match out.item() {
            Some(item) => classify_idempotency(item, request_hash),
            // Deleted between our put and our read (abandoned): let the caller retry.
            None => IdempotencyStart::InProgress,
        })
    }
}

pub(super) fn classify_idempotency(item: &Item, request_hash: &str) -> IdempotencyStart {
    if get_s(item, n::REQUEST_HASH) != Some(request_hash) {
        return IdempotencyStart::Mismatch;
    }
    match get_s(item, n::STATE) {
        Some("done") => IdempotencyStart::Completed(StoredResponse {
            status: get_n(item, n::RESPONSE_STATUS).unwrap_or(200) as u16,
            body: get_s(item, n::RESPONSE_BODY).unwrap_or_default().to_owned(),
        }),
        _ => IdempotencyStart::InProgress,
    }
}
