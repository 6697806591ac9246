# Français. Vocabulaire de la page de l'Espace partenaires (seed 001).

lang-name = Français
languages = Autres langues

## Dates
weekday-1 = lundi
weekday-2 = mardi
weekday-3 = mercredi
weekday-4 = jeudi
weekday-5 = vendredi
weekday-6 = samedi
weekday-7 = dimanche
month-1 = janvier
month-2 = février
month-3 = mars
month-4 = avril
month-5 = mai
month-6 = juin
month-7 = juillet
month-8 = août
month-9 = septembre
month-10 = octobre
month-11 = novembre
month-12 = décembre
datetime = { $weekday } { $day } { $month } { $year } à { $time } ({ $zone })
span-business-days = { $n ->
    [one] { $n } jour ouvrable
   *[other] { $n } jours ouvrables
}
span-calendar-days = { $n ->
    [one] { $n } jour
   *[other] { $n } jours
}

## Statuts de la revendication
status-draft = Modification
status-submitted = Envoyée
status-under_review = En cours d'examen
status-partner_action_required = Action du partenaire requise
status-approved = Approuvée
status-active = Active
status-rejected = Rejetée
status-disputed = Contestée
status-cancelled = Annulée
status-rejected_final = Rejetée définitivement
status-ended = Terminée

## Motifs
reason-missing_all_poe = Aucune preuve d'exécution
reason-missing_all_poe-description = La preuve d'exécution (PoE) est absente : le fichier chargé est incorrect ou ne concerne pas cette revendication.
reason-missing_customer_acknowledgement = Confirmation du client manquante
reason-missing_customer_acknowledgement-description = La signature du client ne figure pas sur la preuve d'exécution.
reason-missing_or_old_dates = Dates manquantes ou anciennes
reason-missing_or_old_dates-description = Les dates de la preuve d'exécution sont absentes ou trop anciennes pour cette revendication.
reason-missing_partner_solution_or_service = Solution ou service du partenaire manquant
reason-missing_partner_solution_or_service-description = La description du travail que vous avez réalisé est insuffisante ou absente du document.
reason-missing_products = Produits manquants
reason-missing_products-description = La preuve d'exécution ne couvre pas un produit ou une charge de travail revendiqué.
reason-partner_request = Demande du partenaire
reason-partner_request-description = Le partenaire a demandé le rejet de la revendication.
reason-customer_declined = Refus du client
reason-customer_declined-description = Le client a refusé l'association.
reason-insufficient_poe = Preuve d'exécution insuffisante
reason-insufficient_poe-description = La preuve d'exécution est insuffisante.
reason-no_partner_response = Aucune réponse du partenaire
reason-no_partner_response-description = Aucune réponse n'a été reçue dans un délai de { $span }.
reason-missing_customer_consent_on_poe = Consentement du client absent de la preuve d'exécution
reason-missing_customer_consent_on_poe-description = Le consentement du client ne figure pas sur la preuve d'exécution.
reason-poe_unavailable = Preuve d'exécution indisponible
reason-poe_unavailable-description = La preuve d'exécution n'a pas pu être ouverte.
reason-customer_revoked = Association arrêtée par le client
reason-customer_revoked-description = Le client a mis fin à l'association.
reason-partner_disassociated = Association arrêtée par le partenaire
reason-partner_disassociated-description = Le partenaire a mis fin à l'association.
reason-dispute_window_closed = Délai de contestation écoulé
reason-dispute_window_closed-description = Le délai pour contester le rejet est écoulé.
reason-dispute_rejected = Contestation rejetée
reason-dispute_rejected-description = La contestation a été examinée et rejetée.

## Ce que voit le client : l'e-mail et la page de consentement.
consent-subject-requested = { $partner } demande à être reconnu comme votre partenaire Microsoft
consent-subject-approved = Microsoft a approuvé { $partner } comme partenaire : vous pouvez refuser
consent-title-requested = Un partenaire demande une association de clients avec votre organisation
consent-title-approved = Une association de partenaire pour votre organisation a été approuvée
consent-greeting = Bonjour { $name },
consent-why = Vous recevez ce message parce que { $partner } vous a désigné comme contact de votre organisation pour cette association de clients.
consent-claim = { $partner } indique avoir aidé votre organisation ({ $customer }) à déployer ou utiliser ces services, dans la revendication « { $claim } » :
consent-subscription = abonnement { $id }
consent-tenant = locataire { $tenant }
consent-sees = Si l'association est maintenue, le partenaire a accès uniquement aux données d'utilisation et de sièges vendus de ces services. Il n'a pas accès à vos données, fichiers, messages ni au contenu de vos utilisateurs.
consent-official-on = L'association devient officielle le { $date }, sauf si vous la refusez d'ici là. Vous pourrez aussi y mettre fin plus tard depuis la même page.
consent-nothing-to-do = Aucune action n'est requise de votre part pour accepter. Si vous ne reconnaissez pas ce partenaire ou ne souhaitez pas cette association, refusez-la.
consent-partner-contact = Contact du partenaire : { $name } ({ $email })
consent-link = Examiner l'association ou la refuser

page-title = Association de partenaire
page-kept = Vous avez confirmé cette association le { $date }. Vous pouvez encore la refuser ci-dessous.
page-declined = Vous avez refusé cette association le { $date }. Ce partenaire n'est pas votre partenaire d'enregistrement pour ces services.
page-official-on = Elle devient officielle le { $date }, sauf si vous la refusez d'ici là.
page-active = L'association est active. Vous pouvez y mettre fin à tout moment.
page-rejected = Microsoft a rejeté cette demande. Le partenaire peut encore contester le rejet jusqu'au { $date } ; si vous ne souhaitez pas ce partenaire, refusez maintenant et le rejet devient définitif.
page-closed = Cette demande n'est plus ouverte : { $status }. Il n'y a rien à décider.
page-decision = Votre décision
page-keep = Conserver ce partenaire
page-decline = Refuser ce partenaire
page-valid-until = Ce lien est valable jusqu'au { $date }.
page-thanks = Merci
page-recorded-declined = Refusée. Nous avons enregistré le { $date } que vous ne souhaitez pas cette association. Le partenaire a été informé ; vous n'avez rien d'autre à faire.
page-recorded-kept = Conservée. Nous avons enregistré le { $date } que vous reconnaissez ce partenaire.
page-not-recorded = Rien à décider
page-choose-title = Choisissez de conserver ou de refuser
page-choose-text = Le formulaire n'indiquait pas votre choix. Revenez en arrière et appuyez sur l'un des boutons.
page-expired-title = Ce lien a expiré
page-expired-text = Vous pouvez refuser à tout moment. Nous pouvons envoyer un nouveau lien au contact enregistré pour cette demande.
page-fresh-button = M'envoyer un nouveau lien
page-fresh-sent-title = Consultez votre messagerie
page-fresh-sent-text = Si cette demande est toujours ouverte, un nouveau lien est envoyé au contact enregistré. Cela peut prendre quelques minutes.
page-fresh-wait-text = Un nouveau lien a été envoyé récemment. Consultez votre messagerie ou réessayez plus tard.
page-invalid-title = Ce lien n'est pas valide
page-invalid-text = Vérifiez que vous avez ouvert le lien complet figurant dans l'e-mail.
page-busy-title = Veuillez réessayer
page-busy-text = La demande est en cours de mise à jour. Réessayez dans un instant.
page-error-title = Une erreur s'est produite
page-error-text = Impossible de charger cette page. Réessayez plus tard.

## Ce que lit le contact du partenaire.
open-claim = Ouvrir la revendication
partner-action-subject = Action requise : { $claim }
partner-action-title = Action requise sur votre revendication
partner-action-intro = Le réviseur a besoin de plus d'informations sur la revendication « { $claim } » :
partner-action-quote = Le réviseur a écrit :
partner-action-respond-by = Modifiez la revendication ou ajoutez une preuve d'exécution et renvoyez-la avant le { $date }. Sans réponse d'ici là, la revendication est rejetée.
partner-rejected-subject = Revendication rejetée : { $claim }
partner-rejected-title = Votre revendication a été rejetée
partner-rejected-intro = La revendication « { $claim } » a été rejetée :
partner-rejected-comment = Commentaire :
partner-rejected-dispute-by = Si vous n'êtes pas d'accord, contestez le rejet depuis la page de la revendication avant le { $date }, avec une justification commerciale et, si vous en avez une, une preuve d'exécution mise à jour.
partner-rejected-final = Cette décision est définitive. Pour revendiquer à nouveau ces charges de travail, créez une nouvelle revendication.
partner-approved-subject = Revendication approuvée : { $claim }
partner-approved-title = Votre revendication a été approuvée
partner-approved-body = La revendication « { $claim } » a été approuvée. Le client a été informé et peut refuser jusqu'au { $date } ; ensuite, l'association devient officielle.
partner-activated-subject = Association active : { $claim }
partner-activated-title = Votre association est active
partner-activated-body = Le délai de refus du client pour la revendication « { $claim } » est écoulé. L'association est officielle et a été transmise pour l'évaluation de l'éligibilité aux primes incitatives.
partner-ended-subject = Association terminée : { $claim }
partner-ended-title = Votre association est terminée
partner-ended-body = L'association de la revendication « { $claim } » a pris fin : { $reason }
reviewer-commented-subject = Nouveau commentaire sur votre revendication : { $claim }
reviewer-commented-title = Un réviseur a commenté votre revendication
reviewer-commented-intro = Le réviseur a écrit sur la revendication « { $claim } » :
reviewer-commented-reply = Vous pouvez répondre dans la section Commentaires de la revendication.
partner-commented-subject = Commentaire du partenaire en attente d'un réviseur : { $claim }
partner-commented-title = Un partenaire a commenté une revendication
partner-commented-intro = { $partner } a écrit sur la revendication « { $claim } » ({ $status }) :
customer-unreachable-subject = Le client n'a pas pu être joint : { $claim }
customer-unreachable-title = Le client n'a pas reçu notre e-mail
customer-unreachable-bounce = L'e-mail adressé au contact du client au sujet de la revendication « { $claim } » n'a pas pu être remis : son serveur de messagerie a refusé l'adresse.
customer-unreachable-bounce-next = Vérifiez l'adresse e-mail du contact du client dans la revendication, corrigez-la si nécessaire et renvoyez l'e-mail de consentement.
customer-unreachable-complaint = Le contact du client a signalé comme courrier indésirable notre e-mail au sujet de la revendication « { $claim } ».
customer-unreachable-complaint-next = Parlez-en au client : il ne reconnaît peut-être pas la demande. Il peut toujours refuser l'association depuis le lien.

## Engagements MCI (seed 004)
engagement-registered-subject = Client inscrit : { $claim }
engagement-registered-title = Votre client a été inscrit
engagement-registered-body = Le client { $customer } a été inscrit à ces engagements MCI dans la réclamation « { $claim } » :
engagement-registered-line = { $engagement } : obtenez le consentement du client avant le { $date }
engagement-registered-payment = { $engagement } : montant de paiement proposé { $amount } USD
engagement-registered-next = Envoyez l'e-mail de consentement du client depuis la page Clients de l'engagement. Un client qui ne donne pas son consentement à temps n'apparaît plus sur cette page.
open-engagement-claim = Ouvrir la réclamation
engagement-consent-subject = { $partner } demande votre consentement : { $engagement }
engagement-consent-subject-reminder = Rappel : { $partner } demande votre consentement : { $engagement }
engagement-consent-title = Un partenaire demande à votre organisation de participer à un engagement Microsoft
engagement-consent-ask = { $partner } demande à votre organisation ({ $customer }) de participer à l'engagement Microsoft Commerce Incentives (MCI) « { $engagement } ».
engagement-consent-means = En acceptant, vous acceptez de participer : { $partner } mène cet engagement avec votre organisation, et Microsoft l'enregistre pour les incitations du partenaire. Cela ne vous coûte rien et ne donne au partenaire aucun accès à vos données.
engagement-consent-by = Veuillez accepter ou refuser avant le { $date }. Sans réponse à cette date, la demande devient caduque.
engagement-consent-link = Accepter ou refuser
engagement-given-subject = Consentement du client donné : { $claim }
engagement-given-body = { $customer } a accepté de participer à « { $engagement } ». Soumettez la réclamation avant le { $date }.
engagement-declined-subject = Consentement du client refusé : { $claim }
engagement-declined-body = { $customer } a refusé de participer à « { $engagement } ». La réclamation est close et le client n'apparaît plus sur la page Clients de cet engagement.
engagement-expired-subject = Pas de consentement du client à temps : { $claim }
engagement-expired-body = { $customer } n'a pas donné son consentement pour « { $engagement } » à temps. La réclamation est close et le client n'apparaît plus sur la page Clients de cet engagement.
engagement-submission-expired-subject = Délai de soumission dépassé : { $claim }
engagement-submission-expired-body = La réclamation pour « { $engagement } » n'a pas été soumise à temps et est close.
engagement-reminder-subject = Soumission attendue dans deux jours ouvrés : { $claim }
engagement-reminder-body = La réclamation pour « { $engagement } » ({ $customer }) n'a pas encore été soumise. Soumettez-la avant le { $date } ; passé ce délai, elle sera close et ne pourra plus être soumise.
engagement-approved-subject = Réclamation terminée : { $claim }
engagement-approved-body = Microsoft a approuvé la réclamation pour « { $engagement } ».
engagement-rejected-subject = Réclamation rejetée : { $claim }
engagement-rejected-body = Microsoft a rejeté la réclamation pour « { $engagement } ». Cette décision est définitive.
engagement-page-question = Votre organisation participe-t-elle ?
engagement-page-accept = Accepter
engagement-page-decline = Refuser
engagement-page-accepted = Votre organisation a accepté de participer.
engagement-page-declined = Votre organisation a refusé de participer.
engagement-page-closed = Cette demande est close : il n'y a plus rien à décider.
engagement-page-expired-title = Ce lien a expiré
engagement-page-expired-text = Le délai pour répondre à cette demande est passé ou le lien est trop ancien. Si votre organisation souhaite toujours participer, contactez le partenaire.

## The portal's choices: the catalogue's areas, partner roles and purchase channels, and an
## engagement claim's statuses (seeds 000, 002, 004).
area-modern_work_security = Travail moderne et sécurité
area-business_applications = Applications d’entreprise
role-use_or_consume = Utiliser ou consommer
role-build_intent_advisor = Intention de build – Advisor
role-usage_recognition = Reconnaissance de l’utilisation – sans prime incitative
role-influenced_revenue = Reconnaissance des revenus influencés – sans prime incitative
channel-volume_licensing = Licences en volume
channel-web_direct = Web Direct
engagement-status-registered = Inscrite
engagement-status-consent_requested = Consentement demandé
engagement-status-consented = Consentement donné
engagement-status-submitted = Envoyée
engagement-status-completed = Terminée
engagement-status-declined = Refusée par le client
engagement-status-consent_expired = Consentement expiré
engagement-status-submission_expired = Délai d’envoi expiré
engagement-status-cancelled = Annulée
engagement-status-rejected_final = Rejetée
