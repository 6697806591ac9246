//! SES v2 mailer: sends a rendered email (HTML and text) from the configured sender with the
//! configured configuration set, tagged with its template name and claim ID (so SES bounce and
//! complaint reports name the claim).

use crate::mail::{CLAIM_TAG, TEMPLATE_TAG};
use crate::ports::{Email, Mailer, Unavailable};
use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message, MessageTag};

#[derive(Clone, Debug)]
pub struct SesMailer {
    client: Client,
    from: String,
    configuration_set: Option<String>,
}

impl SesMailer {
    pub fn new(client: Client, from: impl Into<String>, configuration_set: Option<String>) -> Self {
        Self {
            client,
            from: from.into(),
            configuration_set,
        }
    }
}

fn content(data: &str) -> Result<Content, Unavailable> {
    Content::builder()
        .data(data)
        .charset("UTF-8")
        .build()
        .map_err(|e| Unavailable::new("build email", e))
}

impl Mailer for SesMailer {
    #[tracing::instrument(skip_all, fields(template = email.template))]
    async fn send(&self, email: &Email) -> Result<String, Unavailable> {
        let message = Message::builder()
            .subject(content(&email.subject)?)
            .body(
                Body::builder()
                    .html(content(&email.html)?)
                    .text(content(&email.text)?)
                    .build(),
            )
            .build();
        let tag = |name: &str, value: &str| {
            MessageTag::builder()
                .name(name)
                .value(value)
                .build()
                .map_err(|e| Unavailable::new("build email", e))
        };
        let mut tags = vec![tag(TEMPLATE_TAG, email.template)?];
        if let Some(claim) = email.claim_id {
            tags.push(tag(CLAIM_TAG, &claim.to_string())?);
        }
        let out = self
            .client
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(&email.to).build())
            .content(EmailContent::builder().simple(message).build())
            .set_configuration_set_name(self.configuration_set.clone())
            .set_email_tags(Some(tags))
            .send()
            .await
            .map_err(|e| Unavailable::new("send email", e))?;
        Ok(out.message_id().unwrap_or_default().to_owned())
    }
}
