#!/usr/bin/env python3
"""Writes infra/template.json, the AWS SAM template for cpor, from the function manifest
(infra/functions.json) and the data below.

Run `python3 infra/template.py` after changing a function's needs or a route; the test in
tests/infra.rs fails if template.json is out of date with the functions, the routes or the
least-privilege rules, and cfn-lint checks it in CI. JSON (CloudFormation and SAM accept it) so
the Rust test reads it without a YAML parser.

Each function gets: the same name as its crate (prefixed by NamePrefix, empty by default), its
own role with only what its manifest row says it uses, a log group with retention, deliberate
memory and timeout, and its HTTP API routes.
"""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

# The function manifest (`cpor::functions`), dumped by `cargo run -p cpor --example manifest >
# infra/functions.json`: for each function its routes, ports, whether it writes, what it does
# with the PoE bucket and which token keys it needs. Nothing here restates those facts.
MANIFEST = json.loads((ROOT / "infra" / "functions.json").read_text())

# IAM actions on the PoE objects for each use the manifest names.
POE_ACTIONS = {
    "upload": ["s3:PutObject", "s3:PutObjectTagging"],  # presigned PUT with its pending tag
    "read": ["s3:GetObject"],  # HeadObject at submit, presigned GETs
    "tag": ["s3:PutObjectTagging"],  # attached once a submitted claim relies on it
    "reference": ["s3:GetObject"],  # reference data documents, under reference/ only
}
# Where each use applies in the bucket.
POE_PREFIX = {"upload": "claims", "read": "claims", "tag": "claims", "reference": "reference"}
# Memory and timeout, deliberately: API functions answer in well under a second (a read, a
# transaction); submit checks up to 20 objects; the stream's delivery sends a batch of ten
# entries at once; the sweep works in batches.
SIZING = {"deadline-sweep": (512, 120), "submit-claim": (256, 20), "deliver-outbox": (256, 30)}
DEFAULT_SIZING = (256, 10)

DDB_READ = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"]
DDB_WRITE = DDB_READ + ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                        "dynamodb:ConditionCheckItem", "dynamodb:BatchWriteItem"]


def logical(crate):
    return "".join(p.capitalize() for p in crate.split("-"))


def poe_statements(fn):
    """One statement per bucket prefix the function's uses reach, with their actions."""
    by_prefix = {}
    for use in fn["poe"]:
        actions = by_prefix.setdefault(POE_PREFIX[use], [])
        actions += [a for a in POE_ACTIONS[use] if a not in actions]
    return [{"Effect": "Allow", "Action": actions, "Resource": {"Fn::Sub": "${PoeBucket.Arn}/" + prefix + "/*"}}
            for prefix, actions in sorted(by_prefix.items())]


# Invoked asynchronously (Scheduler, an EventBridge rule): retries and a dead-letter queue.
ASYNC_TRIGGERS = ("schedule", "emailFeedback", "referenceUpload")
# Triggers that are an EventBridge rule sending to the async dead-letter queue.
RULE_TRIGGERS = ("emailFeedback", "referenceUpload")


def rule_target(fn):
    return {"Id": fn["name"], "Arn": {"Fn::GetAtt": [f"{logical(fn['name'])}Function", "Arn"]},
            "RetryPolicy": {"MaximumRetryAttempts": 20, "MaximumEventAgeInSeconds": 86400},
            "DeadLetterConfig": {"Arn": {"Fn::GetAtt": ["AsyncDeadLetterQueue", "Arn"]}}}


def rule_permission(fn):
    name = logical(fn["name"])
    return {
        "Type": "AWS::Lambda::Permission",
        "Properties": {"Action": "lambda:InvokeFunction", "FunctionName": {"Ref": f"{name}Function"},
                       "Principal": "events.amazonaws.com", "SourceArn": {"Fn::GetAtt": [f"{name}Rule", "Arn"]}},
    }


def reference_upload(fn):
    """The bucket sends its events to EventBridge (the default bus); a rule there picks the
    objects created under reference/ and invokes the function, with retries and the DLQ. (A
    direct S3 notification would make the bucket depend on the function whose role names the
    bucket: a cycle.)"""
    name = logical(fn["name"])
    return {
        f"{name}Rule": {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "Description": "Reference data documents dropped under reference/ in the bucket",
                "EventBusName": "default",
                "EventPattern": fn["eventPattern"],
                "Targets": [rule_target(fn)],
            },
        },
        f"{name}Permission": rule_permission(fn),
    }


def email_feedback(fn):
    """SES reports bounces and complaints of the configuration set to the default bus (the only
    bus SES publishes to); a rule there invokes the function, with retries and the DLQ."""
    name = logical(fn["name"])
    return {
        "EmailFeedbackDestination": {
            "Type": "AWS::SES::ConfigurationSetEventDestination",
            "Properties": {
                "ConfigurationSetName": {"Ref": "EmailConfigurationSet"},
                "EventDestination": {
                    "Name": "bounces-and-complaints", "Enabled": True,
                    "MatchingEventTypes": ["BOUNCE", "COMPLAINT"],
                    "EventBridgeDestination": {"EventBusArn": {"Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default"}},
                },
            },
        },
        f"{name}Rule": {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "Description": "SES bounces and complaints of our configuration set",
                "EventBusName": "default",
                "EventPattern": {"source": ["aws.ses"], "detail-type": ["Email Bounced", "Email Complaint Received"],
                                 "detail": {"mail": {"tags": {"ses:configuration-set": [{"Ref": "EmailConfigurationSet"}]}}}},
                "Targets": [rule_target(fn)],
            },
        },
        f"{name}Permission": rule_permission(fn),
    }


def outbox_stream(fn):
    """The table's stream feeds the function: an event source mapping with the manifest's filter
    (new outbox entries only), partial batch responses, bisection on error, bounded retries and
    record age, and an on-failure queue with an alarm (the sweep still delivers those entries)."""
    name, stream = logical(fn["name"]), fn["stream"]
    return {
        f"{name}Stream": {
            "Type": "AWS::Lambda::EventSourceMapping",
            "Properties": {
                "EventSourceArn": {"Fn::GetAtt": ["ClaimsTable", "StreamArn"]},
                "FunctionName": {"Ref": f"{name}Function"},
                "StartingPosition": "TRIM_HORIZON",
                "BatchSize": stream["batchSize"],
                "MaximumBatchingWindowInSeconds": 0,
                "MaximumRetryAttempts": stream["maximumRetryAttempts"],
                "MaximumRecordAgeInSeconds": stream["maximumRecordAgeSeconds"],
                "BisectBatchOnFunctionError": stream["bisectBatchOnFunctionError"],
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
                "FilterCriteria": {"Filters": [{"Pattern": stream["filter"]}]},
                "DestinationConfig": {"OnFailure": {"Destination": {"Fn::GetAtt": ["StreamDeadLetterQueue", "Arn"]}}},
            },
        },
        "StreamDeadLetterQueue": {"Type": "AWS::SQS::Queue", "Properties": {"MessageRetentionPeriod": 1209600, "SqsManagedSseEnabled": True}},
    }


def role(fn):
    crate, ports = fn["name"], fn["ports"]
    statements = [{
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": {"Fn::GetAtt": [f"{logical(crate)}Logs", "Arn"]},
    }]
    if "store" in ports:
        statements.append({
            "Effect": "Allow",
            "Action": DDB_WRITE if fn["writes"] else DDB_READ,
            "Resource": [{"Fn::GetAtt": ["ClaimsTable", "Arn"]},
                         {"Fn::Sub": "${ClaimsTable.Arn}/index/*"}],
        })
    if "poe" in ports:
        statements += poe_statements(fn)
    if "reference" in fn["poe"]:
        statements.append({"Effect": "Allow", "Action": ["s3:ListBucket"],
                           "Resource": {"Fn::GetAtt": ["PoeBucket", "Arn"]},
                           "Condition": {"StringLike": {"s3:prefix": ["reference/*"]}}})
    if "read" in fn["poe"]:
        # Without list permission S3 answers HeadObject on a missing key with 403, not 404:
        # a PoE never uploaded would look like a failure, not "not uploaded". Listing is
        # granted on the claims prefix only.
        statements.append({"Effect": "Allow", "Action": ["s3:ListBucket"],
                           "Resource": {"Fn::GetAtt": ["PoeBucket", "Arn"]},
                           "Condition": {"StringLike": {"s3:prefix": ["claims/*"]}}})
    if "mail" in ports:
        statements.append({
            "Effect": "Allow", "Action": ["ses:SendEmail"],
            "Resource": [
                {"Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/*"},
                {"Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:configuration-set/${EmailConfigurationSet}"},
            ],
        })
    if "schedules" in ports:
        statements.append({
            "Effect": "Allow", "Action": ["scheduler:CreateSchedule", "scheduler:DeleteSchedule"],
            "Resource": {"Fn::Sub": "arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule/${DeadlineScheduleGroup}/*"},
        })
        statements.append({
            "Effect": "Allow", "Action": ["iam:PassRole"],
            "Resource": {"Fn::GetAtt": ["SchedulerRole", "Arn"]},
            "Condition": {"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}},
        })
    if "events" in ports:
        statements.append({"Effect": "Allow", "Action": ["events:PutEvents"],
                           "Resource": {"Fn::GetAtt": ["EventBus", "Arn"]}})
    if fn["keys"] != "none":
        statements.append({"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
                           "Resource": {"Ref": "TokenKeysSecretArn"}})
    if fn["trigger"] in ASYNC_TRIGGERS:
        statements.append({"Effect": "Allow", "Action": ["sqs:SendMessage"],
                           "Resource": {"Fn::GetAtt": ["AsyncDeadLetterQueue", "Arn"]}})
    if fn["trigger"] == "outboxStream":
        # What the event source mapping does with the function's role: read the table's stream,
        # send what it gives up on to the on-failure queue.
        statements.append({"Effect": "Allow",
                           "Action": ["dynamodb:DescribeStream", "dynamodb:GetRecords",
                                      "dynamodb:GetShardIterator", "dynamodb:ListStreams"],
                           "Resource": {"Fn::GetAtt": ["ClaimsTable", "StreamArn"]}})
        statements.append({"Effect": "Allow", "Action": ["sqs:SendMessage"],
                           "Resource": {"Fn::GetAtt": ["StreamDeadLetterQueue", "Arn"]}})
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "Description": f"{crate}: only what this function uses",
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                               "Action": "sts:AssumeRole"}],
            },
            "Policies": [{"PolicyName": "least-privilege",
                          "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}],
        },
    }


def environment(fn):
    ports = fn["ports"]
    env = {"RUST_LOG": "info", "AWS_LAMBDA_LOG_FORMAT": "JSON",
           "CPOR_TIME_ZONE": {"Ref": "TimeZone"}, "CPOR_HOLIDAYS": {"Ref": "Holidays"},
           "CPOR_DEFAULT_LANGUAGE": {"Ref": "DefaultLanguage"}}
    if "store" in ports:
        env["CPOR_TABLE"] = {"Ref": "ClaimsTable"}
    if "poe" in ports:
        env["CPOR_BUCKET"] = {"Ref": "PoeBucket"}
    if "mail" in ports:
        env["CPOR_SENDER"] = {"Ref": "SenderAddress"}
        env["CPOR_CONFIGURATION_SET"] = {"Ref": "EmailConfigurationSet"}
        env["CPOR_REVIEWERS_EMAIL"] = {"Ref": "ReviewersEmail"}
    if "schedules" in ports:
        env["CPOR_SCHEDULE_GROUP"] = {"Ref": "DeadlineScheduleGroup"}
        env["CPOR_SWEEP_ARN"] = {"Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${NamePrefix}deadline-sweep"}
        env["CPOR_SCHEDULER_ROLE_ARN"] = {"Fn::GetAtt": ["SchedulerRole", "Arn"]}
        env["CPOR_SCHEDULER_DLQ_ARN"] = {"Fn::GetAtt": ["SchedulerDeadLetterQueue", "Arn"]}
    if "events" in ports:
        env["CPOR_BUS"] = {"Ref": "EventBus"}
    if fn["keys"] != "none":
        # The secret's name, never its value: read at cold start and every 5 minutes, so a
        # rotation (a key prepended) reaches running functions without a redeploy.
        env["CPOR_TOKEN_KEYS_SECRET"] = {"Ref": "TokenKeysSecretArn"}
    if fn["keys"] == "consentLinks":
        env["CPOR_CONSENT_BASE_URL"] = {"Fn::If": ["HasConsentBaseUrl", {"Ref": "ConsentBaseUrl"},
                                                    {"Fn::Sub": "https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/consent"}]}
        env["CPOR_PORTAL_BASE_URL"] = {"Ref": "PortalOrigin"}
    return env


def function(fn):
    crate = fn["name"]
    memory, timeout = SIZING.get(crate, DEFAULT_SIZING)
    props = {
        "FunctionName": {"Fn::Sub": "${NamePrefix}" + crate},
        "Description": f"cpor {crate}",
        "CodeUri": "..",
        "Handler": "bootstrap",
        "Runtime": "provided.al2023",
        "Architectures": ["arm64"],
        "MemorySize": memory,
        "Timeout": timeout,
        "Role": {"Fn::GetAtt": [f"{logical(crate)}Role", "Arn"]},
        "LoggingConfig": {"LogGroup": {"Ref": f"{logical(crate)}Logs"}, "LogFormat": "JSON"},
        "Environment": {"Variables": environment(fn)},
    }
    events = {}
    for i, route in enumerate(fn["routes"]):
        ev = {"Type": "HttpApi", "Properties": {"ApiId": {"Ref": "HttpApi"}, "Method": route["method"], "Path": route["path"]}}
        if route["public"]:
            ev["Properties"]["Auth"] = {"Authorizer": "NONE"}
        events[f"Route{i}"] = ev
    if events:
        props["Events"] = events
    if fn["trigger"] in ASYNC_TRIGGERS:
        props["DeadLetterQueue"] = {"Type": "SQS", "TargetArn": {"Fn::GetAtt": ["AsyncDeadLetterQueue", "Arn"]}}
        props["EventInvokeConfig"] = {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 3600}
        props["ReservedConcurrentExecutions"] = 5
    return {
        "Type": "AWS::Serverless::Function",
        "Metadata": {"BuildMethod": "rust-cargolambda", "BuildProperties": {"Binary": crate}},
        "Properties": props,
    }


# The portal's Content-Security-Policy (cpor::routes::portal_csp; tests/infra.rs checks they
# agree): API calls to the API, uploads to the PoE bucket, sign-in to the identity provider.
PORTAL_CONNECT = ("https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix} "
                  "https://${PoeBucket}.s3.${AWS::Region}.${AWS::URLSuffix} ${PortalSignInOrigins}")
PORTAL_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
              "connect-src 'self' " + PORTAL_CONNECT + "; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


def portal_hosting():
    """The reference portal (portal/) on S3 behind CloudFront with origin access control, when
    HostPortal is true: a private bucket only the distribution may read, security headers on
    every answer, HTTPS only, served on PortalOrigin's host with PortalCertificateArn."""
    when = {"Condition": "HostPortal"}
    host = {"Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "PortalOrigin"}]}]}
    return {
        "PortalBucket": {**when, "Type": "AWS::S3::Bucket",
            "DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete",
            "Properties": {
                "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
                "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
                "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
            }},
        "PortalOriginAccessControl": {**when, "Type": "AWS::CloudFront::OriginAccessControl", "Properties": {
            "OriginAccessControlConfig": {"Name": {"Fn::Sub": "${AWS::StackName}-portal"}, "OriginAccessControlOriginType": "s3",
                                          "SigningBehavior": "always", "SigningProtocol": "sigv4"}}},
        "PortalHeaders": {**when, "Type": "AWS::CloudFront::ResponseHeadersPolicy", "Properties": {
            "ResponseHeadersPolicyConfig": {"Name": {"Fn::Sub": "${AWS::StackName}-portal"}, "SecurityHeadersConfig": {
                "ContentSecurityPolicy": {"ContentSecurityPolicy": {"Fn::Sub": PORTAL_CSP}, "Override": True},
                "ContentTypeOptions": {"Override": True},
                "FrameOptions": {"FrameOption": "DENY", "Override": True},
                "ReferrerPolicy": {"ReferrerPolicy": "no-referrer", "Override": True},
                "StrictTransportSecurity": {"AccessControlMaxAgeSec": 31536000, "IncludeSubdomains": True, "Override": True},
            }}}},
        "PortalDistribution": {**when, "Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": {
            "Enabled": True, "HttpVersion": "http2and3", "DefaultRootObject": "index.html", "PriceClass": "PriceClass_100",
            "Aliases": [host],
            "ViewerCertificate": {"AcmCertificateArn": {"Ref": "PortalCertificateArn"}, "SslSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021"},
            "Origins": [{"Id": "portal", "DomainName": {"Fn::GetAtt": ["PortalBucket", "RegionalDomainName"]},
                         "OriginAccessControlId": {"Fn::GetAtt": ["PortalOriginAccessControl", "Id"]},
                         "S3OriginConfig": {"OriginAccessIdentity": ""}}],
            "DefaultCacheBehavior": {"TargetOriginId": "portal", "ViewerProtocolPolicy": "redirect-to-https",
                                     "AllowedMethods": ["GET", "HEAD"], "Compress": True,
                                     # AWS managed policy CachingOptimized
                                     "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
                                     "ResponseHeadersPolicyId": {"Ref": "PortalHeaders"}},
        }}},
        "PortalBucketPolicy": {**when, "Type": "AWS::S3::BucketPolicy", "Properties": {
            "Bucket": {"Ref": "PortalBucket"},
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Sid": "OnlyThePortalDistribution", "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
                 "Action": "s3:GetObject", "Resource": {"Fn::Sub": "${PortalBucket.Arn}/*"},
                 "Condition": {"StringEquals": {"AWS:SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${PortalDistribution}"}}}},
                {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                 "Resource": [{"Fn::GetAtt": ["PortalBucket", "Arn"]}, {"Fn::Sub": "${PortalBucket.Arn}/*"}],
                 "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
            ]}}},
    }


def template():
    resources = {}
    outputs = {}
    for fn in MANIFEST:
        crate = fn["name"]
        resources[f"{logical(crate)}Logs"] = {
            "Type": "AWS::Logs::LogGroup",
            "DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete",
            "Properties": {"LogGroupName": {"Fn::Sub": "/aws/lambda/${NamePrefix}" + crate},
                           "RetentionInDays": {"Ref": "LogRetentionDays"}},
        }
        resources[f"{logical(crate)}Role"] = role(fn)
        resources[f"{logical(crate)}Function"] = function(fn)
        if fn["trigger"] == "emailFeedback":
            resources.update(email_feedback(fn))
        if fn["trigger"] == "outboxStream":
            resources.update(outbox_stream(fn))
        if fn["trigger"] == "referenceUpload":
            resources.update(reference_upload(fn))
        resources[f"{logical(crate)}Errors"] = {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "AlarmDescription": f"{crate} reported errors",
                "Namespace": "AWS/Lambda", "MetricName": "Errors",
                "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": f"{logical(crate)}Function"}}],
                "Statistic": "Sum", "Period": 300, "EvaluationPeriods": 1, "Threshold": 1,
                "ComparisonOperator": "GreaterThanOrEqualToThreshold", "TreatMissingData": "notBreaching",
                "AlarmActions": [{"Ref": "AlarmTopic"}],
            },
        }
    resources.update({
        "ClaimsTable": {
            "Type": "AWS::DynamoDB::Table",
            "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
            "Properties": {
                "BillingMode": "PAY_PER_REQUEST",
                "DeletionProtectionEnabled": True,
                "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                "SSESpecification": {"SSEEnabled": True},
                "TimeToLiveSpecification": {"AttributeName": "expiresAt", "Enabled": True},
                # New items reach deliver-outbox through the stream (the view it reads).
                "StreamSpecification": {"StreamViewType": "NEW_IMAGE"},
                "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in
                                         ["pk", "sk", "orgPk", "orgStatusPk", "createdSk", "queuePk", "queueSk", "duePk", "dueSk"]],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                "GlobalSecondaryIndexes": [
                    {"IndexName": n, "KeySchema": [{"AttributeName": h, "KeyType": "HASH"}, {"AttributeName": r, "KeyType": "RANGE"}],
                     "Projection": {"ProjectionType": p}}
                    for n, h, r, p in [("byOrg", "orgPk", "createdSk", "ALL"), ("byOrgStatus", "orgStatusPk", "createdSk", "ALL"),
                                       ("byOrgStatusDue", "orgStatusPk", "queueSk", "ALL"),
                                       ("queue", "queuePk", "queueSk", "ALL"), ("due", "duePk", "dueSk", "KEYS_ONLY")]
                ],
            },
        },
        "PoeBucket": {
            "Type": "AWS::S3::Bucket",
            "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
            "Properties": {
                "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]},
                "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
                "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
                "VersioningConfiguration": {"Status": "Enabled"},
                # Object Created events reach EventBridge (import-reference-data's rule).
                "NotificationConfiguration": {"EventBridgeConfiguration": {"EventBridgeEnabled": True}},
                "CorsConfiguration": {"CorsRules": [{
                    "AllowedOrigins": [{"Ref": "PortalOrigin"}], "AllowedMethods": ["PUT", "GET"],
                    "AllowedHeaders": ["content-type", "content-length", "x-amz-checksum-sha256", "x-amz-tagging", "x-amz-sdk-checksum-algorithm"],
                    "MaxAge": 600}]},
                "LifecycleConfiguration": {"Rules": [
                    {"Id": "unattached-uploads", "Status": "Enabled",
                     "TagFilters": [{"Key": "cpor-upload", "Value": "pending"}],
                     "ExpirationInDays": {"Ref": "UnattachedUploadDays"}},
                    {"Id": "incomplete-multipart", "Status": "Enabled", "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}},
                    {"Id": "old-versions", "Status": "Enabled", "NoncurrentVersionExpiration": {"NoncurrentDays": 30}},
                ]},
            },
        },
        "PoeBucketPolicy": {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {"Bucket": {"Ref": "PoeBucket"}, "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                "Resource": [{"Fn::GetAtt": ["PoeBucket", "Arn"]}, {"Fn::Sub": "${PoeBucket.Arn}/*"}],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}},
        },
        "EmailConfigurationSet": {"Type": "AWS::SES::ConfigurationSet",
                                  "Properties": {"Name": {"Fn::Sub": "${NamePrefix}cpor"},
                                                 "SendingOptions": {"SendingEnabled": True},
                                                 "ReputationOptions": {"ReputationMetricsEnabled": True}}},
        "SenderIdentity": {"Type": "AWS::SES::EmailIdentity",
                           "Properties": {"EmailIdentity": {"Ref": "SenderAddress"},
                                          "ConfigurationSetAttributes": {"ConfigurationSetName": {"Ref": "EmailConfigurationSet"}}}},
        "EventBus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": {"Fn::Sub": "${NamePrefix}cpor"}}},
        "DeadlineScheduleGroup": {"Type": "AWS::Scheduler::ScheduleGroup", "Properties": {"Name": {"Fn::Sub": "${NamePrefix}cpor-deadlines"}}},
        "SchedulerDeadLetterQueue": {"Type": "AWS::SQS::Queue", "Properties": {"MessageRetentionPeriod": 1209600, "SqsManagedSseEnabled": True}},
        "AsyncDeadLetterQueue": {"Type": "AWS::SQS::Queue", "Properties": {"MessageRetentionPeriod": 1209600, "SqsManagedSseEnabled": True}},
        # The rules that invoke functions may send what they give up on to the queue.
        "AsyncDeadLetterQueuePolicy": {
            "Type": "AWS::SQS::QueuePolicy",
            "Properties": {"Queues": [{"Ref": "AsyncDeadLetterQueue"}], "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage",
                "Resource": {"Fn::GetAtt": ["AsyncDeadLetterQueue", "Arn"]},
                "Condition": {"ArnEquals": {"aws:SourceArn": [
                    {"Fn::GetAtt": [f"{logical(fn['name'])}Rule", "Arn"]}
                    for fn in MANIFEST if fn["trigger"] in RULE_TRIGGERS]}}}]}},
        },
        "SchedulerDeadLetterQueuePolicy": {
            "Type": "AWS::SQS::QueuePolicy",
            "Properties": {"Queues": [{"Ref": "SchedulerDeadLetterQueue"}], "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"}, "Action": "sqs:SendMessage",
                "Resource": {"Fn::GetAtt": ["SchedulerDeadLetterQueue", "Arn"]},
                "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}}]}},
        },
        "SchedulerRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "Description": "EventBridge Scheduler invokes the deadline sweep",
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}}]},
                "Policies": [{"PolicyName": "invoke-sweep", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "lambda:InvokeFunction",
                     # by name, not GetAtt: the sweep's role passes this role (no cycle)
                     "Resource": {"Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${NamePrefix}deadline-sweep"}},
                    {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": {"Fn::GetAtt": ["SchedulerDeadLetterQueue", "Arn"]}}]}}],
            },
        },
        "PeriodicSweep": {
            "Type": "AWS::Scheduler::Schedule",
            "Properties": {
                "Description": "Every minute: due deadlines and undelivered outbox entries",
                "ScheduleExpression": "rate(1 minute)", "FlexibleTimeWindow": {"Mode": "OFF"},
                "Target": {"Arn": {"Fn::GetAtt": ["DeadlineSweepFunction", "Arn"]}, "RoleArn": {"Fn::GetAtt": ["SchedulerRole", "Arn"]},
                           "Input": "{\"time\": \"<aws.scheduler.scheduled-time>\"}",
                           "RetryPolicy": {"MaximumEventAgeInSeconds": 300, "MaximumRetryAttempts": 2},
                           "DeadLetterConfig": {"Arn": {"Fn::GetAtt": ["SchedulerDeadLetterQueue", "Arn"]}}},
            },
        },
        "HttpApi": {
            "Type": "AWS::Serverless::HttpApi",
            "Properties": {
                "Auth": {"DefaultAuthorizer": "Jwt", "Authorizers": {"Jwt": {
                    "IdentitySource": "$request.header.Authorization",
                    "JwtConfiguration": {"issuer": {"Ref": "JwtIssuer"}, "audience": [{"Ref": "JwtAudience"}]}}}},
                "CorsConfiguration": {"AllowOrigins": [{"Ref": "PortalOrigin"}],
                                      "AllowMethods": ["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
                                      "AllowHeaders": ["authorization", "content-type", "if-match", "idempotency-key"],
                                      "ExposeHeaders": ["etag", "location", "idempotent-replayed", "next-cursor", "retry-after"], "MaxAge": 600},
                "DefaultRouteSettings": {"ThrottlingBurstLimit": {"Ref": "ThrottleBurst"}, "ThrottlingRateLimit": {"Ref": "ThrottleRate"}},
                "AccessLogSettings": {"DestinationArn": {"Fn::GetAtt": ["ApiAccessLogs", "Arn"]},
                                      "Format": "{\"requestId\":\"$context.requestId\",\"routeKey\":\"$context.routeKey\",\"status\":\"$context.status\",\"latency\":\"$context.responseLatency\",\"ip\":\"$context.identity.sourceIp\"}"},
            },
        },
        "ApiAccessLogs": {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete",
                          "Properties": {"RetentionInDays": {"Ref": "LogRetentionDays"}}},
        "AlarmTopic": {"Type": "AWS::SNS::Topic", "Properties": {"KmsMasterKeyId": "alias/aws/sns"}},
        "AlarmSubscription": {"Type": "AWS::SNS::Subscription", "Condition": "HasAlarmEmail",
                              "Properties": {"TopicArn": {"Ref": "AlarmTopic"}, "Protocol": "email", "Endpoint": {"Ref": "AlarmEmail"}}},
        "Api5xxAlarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
            "AlarmDescription": "The HTTP API answered 5xx", "Namespace": "AWS/ApiGateway", "MetricName": "5xx",
            "Dimensions": [{"Name": "ApiId", "Value": {"Ref": "HttpApi"}}], "Statistic": "Sum", "Period": 300,
            "EvaluationPeriods": 1, "Threshold": 5, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "TreatMissingData": "notBreaching", "AlarmActions": [{"Ref": "AlarmTopic"}]}},
        "OutboxAgeAlarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
            "AlarmDescription": "An outbox entry (email, schedule, event) has waited more than 15 minutes",
            "Namespace": "cpor", "MetricName": "OutboxOldestDueSeconds", "Statistic": "Maximum", "Period": 300,
            "EvaluationPeriods": 1, "Threshold": 900, "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching", "AlarmActions": [{"Ref": "AlarmTopic"}]}},
    })
    for q in ["SchedulerDeadLetterQueue", "AsyncDeadLetterQueue", "StreamDeadLetterQueue"]:
        resources[f"{q}Depth"] = {"Type": "AWS::CloudWatch::Alarm", "Properties": {
            "AlarmDescription": f"Messages in {q}", "Namespace": "AWS/SQS", "MetricName": "ApproximateNumberOfMessagesVisible",
            "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": [q, "QueueName"]}}], "Statistic": "Maximum",
            "Period": 300, "EvaluationPeriods": 1, "Threshold": 1, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "TreatMissingData": "notBreaching", "AlarmActions": [{"Ref": "AlarmTopic"}]}}
    outputs["ApiUrl"] = {"Description": "The HTTP API (point the portal here)",
                         "Value": {"Fn::Sub": "https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"}}
    resources.update(portal_hosting())
    outputs["PortalBucketName"] = {"Condition": "HostPortal", "Description": "Where scripts/deploy-portal.sh puts portal/",
                                   "Value": {"Ref": "PortalBucket"}}
    outputs["PortalDistributionId"] = {"Condition": "HostPortal", "Value": {"Ref": "PortalDistribution"}}
    outputs["PortalDistributionDomain"] = {"Condition": "HostPortal", "Description": "Point PortalOrigin's host (CNAME) here",
                                           "Value": {"Fn::GetAtt": ["PortalDistribution", "DomainName"]}}
    outputs["ClaimsTableName"] = {"Value": {"Ref": "ClaimsTable"}}
    outputs["PoeBucketName"] = {"Value": {"Ref": "PoeBucket"}}
    outputs["EventBusName"] = {"Value": {"Ref": "EventBus"}}
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Description": "cpor: Claiming Partner of Record (generated by infra/template.py; do not edit by hand)",
        "Parameters": {
            "NamePrefix": {"Type": "String", "Default": "", "AllowedPattern": "^[a-z0-9-]*$",
                           "Description": "Prefix for function and resource names (empty: names equal the crates)"},
            "SenderAddress": {"Type": "String", "Description": "From address of every email (an SES identity)"},
            "PortalOrigin": {"Type": "String", "AllowedPattern": "^https://[^/]+$", "Description": "The partner portal origin, e.g. https://portal.example.com (CORS, email links)"},
            "ConsentBaseUrl": {"Type": "String", "Default": "", "Description": "Base URL of consent links (default: the API's /consent)"},
            "JwtIssuer": {"Type": "String", "Description": "JWT issuer, e.g. https://cognito-idp.<region>.amazonaws.com/<user pool id>"},
            "JwtAudience": {"Type": "String", "Description": "JWT audience (the portal's app client ID)"},
            "TokenKeysSecretArn": {"Type": "String", "Description": "Secrets Manager secret holding CPOR_TOKEN_KEYS (k1:<base64 of 32+ bytes>, newest first)"},
            "TimeZone": {"Type": "String", "Default": "UTC", "Description": "IANA time zone of business days"},
            "ReviewersEmail": {"Type": "String", "Default": "",
                               "Description": "reviewers' shared address, told of partners' comments (empty: not sent)"},
            "DefaultLanguage": {"Type": "String", "Default": "en", "AllowedValues": ["en", "es", "fr", "ja"],
                                "Description": "language of emails and pages for contacts who named none"},
            "Holidays": {"Type": "String", "Default": "", "Description": "Comma-separated YYYY-MM-DD holidays"},
            "LogRetentionDays": {"Type": "Number", "Default": 30, "AllowedValues": [7, 14, 30, 60, 90, 180, 365]},
            "UnattachedUploadDays": {"Type": "Number", "Default": 30, "MinValue": 1, "Description": "Days before PoE uploads never attached to a submitted claim are deleted"},
            "ThrottleRate": {"Type": "Number", "Default": 50}, "ThrottleBurst": {"Type": "Number", "Default": 100},
            "AlarmEmail": {"Type": "String", "Default": "", "Description": "Where alarms are sent (optional)"},
            "HostPortal": {"Type": "String", "Default": "false", "AllowedValues": ["true", "false"],
                           "Description": "Serve the reference portal (portal/) from S3 behind CloudFront on PortalOrigin's host"},
            "PortalCertificateArn": {"Type": "String", "Default": "",
                                     "Description": "ACM certificate (us-east-1) for PortalOrigin's host (HostPortal only)"},
            "PortalSignInOrigins": {"Type": "String", "Default": "",
                                    "Description": "Space-separated origins the portal signs in with (the OIDC issuer and its token endpoint)"},
        },
        "Conditions": {
            "HasConsentBaseUrl": {"Fn::Not": [{"Fn::Equals": [{"Ref": "ConsentBaseUrl"}, ""]}]},
            "HasAlarmEmail": {"Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]},
            "HostPortal": {"Fn::And": [{"Fn::Equals": [{"Ref": "HostPortal"}, "true"]},
                                       {"Fn::Not": [{"Fn::Equals": [{"Ref": "PortalCertificateArn"}, ""]}]}]},
        },
        "Resources": resources,
        "Outputs": outputs,
    }


def render():
    return json.dumps(template(), indent=2, sort_keys=False) + "\n"


if __name__ == "__main__":
    out = ROOT / "infra" / "template.json"
    text = render()
    if "--check" in sys.argv:
        sys.exit(0 if out.read_text() == text else 1)
    out.write_text(text)
    print(f"wrote {out.relative_to(ROOT)}: {len(template()['Resources'])} resources")
