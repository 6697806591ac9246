# English. Every message here exists in es.ftl, fr.ftl and ja.ftl too (a test checks it).
# Wording follows the Partner Center pages in ../shared/seeds; variables are filled in by
# cpor::i18n. Values from users (names, claim names, comments) are escaped by the caller.

lang-name = English
languages = Other languages

## Dates: { $weekday } and { $month } are the names below.
weekday-1 = Monday
weekday-2 = Tuesday
weekday-3 = Wednesday
weekday-4 = Thursday
weekday-5 = Friday
weekday-6 = Saturday
weekday-7 = Sunday
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December
datetime = { $weekday } { $day } { $month } { $year }, { $time } ({ $zone })
span-business-days = { $n ->
    [one] { $n } business day
   *[other] { $n } business days
}
span-calendar-days = { $n ->
    [one] { $n } day
   *[other] { $n } days
}

## Claim statuses (seed 003 "Claim status").
status-draft = Editing
status-submitted = Submitted
status-under_review = Under review
status-partner_action_required = Partner action required
status-approved = Approved
status-active = Active
status-rejected = Rejected
status-disputed = Disputed
status-cancelled = Cancelled
status-rejected_final = Rejected definitively
status-ended = Ended

## Reasons (seed 003): a name and what it means.
reason-missing_all_poe = Missing all PoE
reason-missing_all_poe-description = The proof of execution is missing: the file uploaded is wrong or does not belong to this claim.
reason-missing_customer_acknowledgement = Missing customer acknowledgement
reason-missing_customer_acknowledgement-description = The customer's signature is not on the proof of execution.
reason-missing_or_old_dates = Missing or old dates
reason-missing_or_old_dates-description = Dates on the proof of execution are missing or too old for this claim.
reason-missing_partner_solution_or_service = Missing partner solution/service
reason-missing_partner_solution_or_service-description = The description of the work you completed is insufficient or missing.
reason-missing_products = Missing products
reason-missing_products-description = The proof of execution does not cover a product or workload being claimed.
reason-partner_request = Partner request
reason-partner_request-description = The partner asked for the claim to be rejected.
reason-customer_declined = Customer decline
reason-customer_declined-description = The customer declined the association.
reason-insufficient_poe = Insufficient proof of execution
reason-insufficient_poe-description = The proof of execution is insufficient.
reason-no_partner_response = No partner response
reason-no_partner_response-description = No response was received within { $span }.
reason-missing_customer_consent_on_poe = Missing customer consent on PoE
reason-missing_customer_consent_on_poe-description = The customer's consent is missing from the proof of execution.
reason-poe_unavailable = PoE unavailable
reason-poe_unavailable-description = The proof of execution could not be opened.
reason-customer_revoked = Customer ended the association
reason-customer_revoked-description = The customer ended the association.
reason-partner_disassociated = Partner ended the association
reason-partner_disassociated-description = The partner ended the association.
reason-dispute_window_closed = Dispute window closed
reason-dispute_window_closed-description = The time to dispute the rejection has passed.
reason-dispute_rejected = Dispute rejected
reason-dispute_rejected-description = The dispute was reviewed and rejected.

## What the customer sees: the consent email and page.
consent-subject-requested = { $partner } asks to be recognised as your Microsoft partner
consent-subject-approved = Microsoft approved { $partner } as your partner: you may decline
consent-title-requested = A partner asks to be recognised for your Microsoft services
consent-title-approved = A partner association for your organisation was approved
consent-greeting = Hello { $name },
consent-why = You receive this message because { $partner } named you as the contact at your organisation for this customer association.
consent-claim = { $partner } says it helped your organisation ({ $customer }) deploy or use these services, in the claim “{ $claim }”:
consent-subscription = subscription { $id }
consent-tenant = tenant { $tenant }
consent-sees = If the association stands, the partner sees usage and seat counts for these services only. It does not see your data, files, messages or users' content.
consent-official-on = The association becomes official on { $date } unless you decline it before then. You can also end it later from the same page.
consent-nothing-to-do = You do not need to do anything to accept. If you do not recognise this partner or do not want the association, decline it.
consent-partner-contact = Partner contact: { $name } ({ $email })
consent-link = Review the association or decline it

page-title = Partner association
page-kept = You confirmed this association on { $date }. You can still decline it below.
page-declined = You declined this association on { $date }. The partner is not your partner of record for these services.
page-official-on = It becomes official on { $date } unless you decline before then.
page-active = The association is active. You can end it at any time.
page-rejected = Microsoft rejected this request. The partner may still dispute the rejection until { $date }; if you do not want this partner, decline now and the rejection becomes final.
page-closed = This request is no longer open: { $status }. There is nothing to decide.
page-decision = Your decision
page-keep = Keep this partner
page-decline = Decline this partner
page-valid-until = This link is valid until { $date }.
page-thanks = Thank you
page-recorded-declined = Declined. We recorded on { $date } that you do not want this association. The partner has been told; nothing else is needed.
page-recorded-kept = Kept. We recorded on { $date } that you recognise this partner.
page-not-recorded = Nothing to decide
page-choose-title = Choose keep or decline
page-choose-text = The form did not say which. Go back and press one of the buttons.
page-expired-title = This link has expired
page-expired-text = You can still decline at any time. We can email a new link to the contact on file for this request.
page-fresh-button = Email me a new link
page-fresh-sent-title = Check your email
page-fresh-sent-text = If this request is still open, a new link is on its way to the contact on file. It may take a few minutes.
page-fresh-wait-text = A new link was sent recently. Check your email, or try again later.
page-invalid-title = This link is not valid
page-invalid-text = Check that you opened the whole link from the email.
page-busy-title = Please try again
page-busy-text = The request is being updated right now. Try again in a moment.
page-error-title = Something went wrong
page-error-text = We could not load this page. Try again later.

## What the partner contact reads.
open-claim = Open the claim
partner-action-subject = Action required: { $claim }
partner-action-title = Action required on your claim
partner-action-intro = The reviewer needs more information on the claim “{ $claim }”:
partner-action-quote = The reviewer wrote:
partner-action-respond-by = Edit the claim or add proof of execution and resubmit it by { $date }. Without a response by then the claim is rejected.
partner-rejected-subject = Claim rejected: { $claim }
partner-rejected-title = Your claim was rejected
partner-rejected-intro = The claim “{ $claim }” was rejected:
partner-rejected-comment = Comment:
partner-rejected-dispute-by = If you disagree, dispute the rejection from the claim's page before { $date }, with a business justification and, if you have it, updated proof of execution.
partner-rejected-final = This decision is final. To claim these workloads again, file a new claim.
partner-approved-subject = Claim approved: { $claim }
partner-approved-title = Your claim was approved
partner-approved-body = The claim “{ $claim }” was approved. The customer has been told and may decline until { $date }; after that the association becomes active.
partner-activated-subject = Association active: { $claim }
partner-activated-title = Your association is active
partner-activated-body = The customer's opt-out window for the claim “{ $claim }” has passed. The association is official and has been sent for incentive eligibility.
partner-ended-subject = Association ended: { $claim }
partner-ended-title = Your association ended
partner-ended-body = The association for the claim “{ $claim }” ended: { $reason }
reviewer-commented-subject = New comment on your claim: { $claim }
reviewer-commented-title = A reviewer commented on your claim
reviewer-commented-intro = The reviewer wrote on the claim “{ $claim }”:
reviewer-commented-reply = You can answer in the claim's Comments section.
partner-commented-subject = Partner comment awaiting a reviewer: { $claim }
partner-commented-title = A partner commented on a claim
partner-commented-intro = { $partner } wrote on the claim “{ $claim }” ({ $status }):
customer-unreachable-subject = The customer could not be reached: { $claim }
customer-unreachable-title = The customer did not receive our email
customer-unreachable-bounce = The email asking the customer contact about the claim “{ $claim }” could not be delivered: their mail server refused the address.
customer-unreachable-bounce-next = Check the customer contact's email address on the claim, correct it if needed, and send the consent email again.
customer-unreachable-complaint = The customer contact marked our email about the claim “{ $claim }” as spam.
customer-unreachable-complaint-next = Talk to the customer: they may not recognise the request. They can still decline the association from the link.

## MCI engagements (seed 004)
engagement-registered-subject = Customer registered: { $claim }
engagement-registered-title = Your customer was registered
engagement-registered-body = The customer { $customer } was registered for these MCI engagements under “{ $claim }”:
engagement-registered-line = { $engagement }: get the customer's consent by { $date }
engagement-registered-payment = { $engagement }: proposed payment amount { $amount } USD
engagement-registered-next = Send the customer consent email from the engagement's Customers page. A customer who does not consent in time no longer appears on that page.
open-engagement-claim = Open the claim
engagement-consent-subject = { $partner } asks for your consent: { $engagement }
engagement-consent-subject-reminder = Reminder: { $partner } asks for your consent: { $engagement }
engagement-consent-title = A partner asks your organisation to take part in a Microsoft engagement
engagement-consent-ask = { $partner } asks your organisation ({ $customer }) to take part in the Microsoft Commerce Incentives (MCI) engagement “{ $engagement }”.
engagement-consent-means = By accepting, you agree to take part: { $partner } carries out this engagement with your organisation, and Microsoft records it for the partner's incentives. It costs you nothing and gives the partner no access to your data.
engagement-consent-by = Please accept or decline by { $date }. Without an answer by then, the request lapses.
engagement-consent-link = Accept or decline
engagement-given-subject = Customer consent given: { $claim }
engagement-given-body = { $customer } agreed to take part in “{ $engagement }”. Submit the claim by { $date }.
engagement-declined-subject = Customer consent declined: { $claim }
engagement-declined-body = { $customer } declined to take part in “{ $engagement }”. The claim is closed and the customer no longer appears on that engagement's Customers page.
engagement-expired-subject = No customer consent in time: { $claim }
engagement-expired-body = { $customer } did not consent to “{ $engagement }” in time. The claim is closed and the customer no longer appears on that engagement's Customers page.
engagement-submission-expired-subject = Submission deadline passed: { $claim }
engagement-submission-expired-body = The claim for “{ $engagement }” was not submitted in time and is closed.
engagement-reminder-subject = Submission due in two business days: { $claim }
engagement-reminder-body = The claim for “{ $engagement }” ({ $customer }) has not been submitted yet. Submit it by { $date }; after that it closes and cannot be submitted.
engagement-approved-subject = Claim completed: { $claim }
engagement-approved-body = Microsoft approved the claim for “{ $engagement }”.
engagement-rejected-subject = Claim rejected: { $claim }
engagement-rejected-body = Microsoft rejected the claim for “{ $engagement }”. This decision is final.
engagement-page-question = Does your organisation take part?
engagement-page-accept = Accept
engagement-page-decline = Decline
engagement-page-accepted = Your organisation accepted to take part.
engagement-page-declined = Your organisation declined to take part.
engagement-page-closed = This request is closed: there is nothing to decide any more.
engagement-page-expired-title = This link has expired
engagement-page-expired-text = The time to answer this request has passed or the link is too old. If your organisation still wants to take part, contact the partner.

## The portal's choices: the catalogue's areas, partner roles and purchase channels, and an
## engagement claim's statuses (seeds 000, 002, 004).
area-modern_work_security = Modern Work & Security
area-business_applications = Business Applications
role-use_or_consume = Use or consume
role-build_intent_advisor = Build intent – Advisor
role-usage_recognition = Usage recognition – non-incentive
role-influenced_revenue = Influenced revenue recognition – non-incentive
channel-volume_licensing = Volume Licensing
channel-web_direct = Web Direct
engagement-status-registered = Registered
engagement-status-consent_requested = Consent requested
engagement-status-consented = Consented
engagement-status-submitted = Submitted
engagement-status-completed = Completed
engagement-status-declined = Declined by the customer
engagement-status-consent_expired = Consent expired
engagement-status-submission_expired = Submission expired
engagement-status-cancelled = Cancelled
engagement-status-rejected_final = Rejected
