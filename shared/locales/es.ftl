# Español. Vocabulario de las páginas del Centro de partners (seeds 000, 003 y 004).

lang-name = Español
languages = Otros idiomas

## Fechas
weekday-1 = lunes
weekday-2 = martes
weekday-3 = miércoles
weekday-4 = jueves
weekday-5 = viernes
weekday-6 = sábado
weekday-7 = domingo
month-1 = enero
month-2 = febrero
month-3 = marzo
month-4 = abril
month-5 = mayo
month-6 = junio
month-7 = julio
month-8 = agosto
month-9 = septiembre
month-10 = octubre
month-11 = noviembre
month-12 = diciembre
datetime = { $weekday }, { $day } de { $month } de { $year }, { $time } ({ $zone })
span-business-days = { $n ->
    [one] { $n } día hábil
   *[other] { $n } días hábiles
}
span-calendar-days = { $n ->
    [one] { $n } día
   *[other] { $n } días
}

## Estados de la notificación (seed 003 «Estado de la demanda»; seed 004 para los terminales).
status-draft = Edición
status-submitted = Enviado
status-under_review = En revisión
status-partner_action_required = Acción de asociado requerida
status-approved = Aprobado
status-active = Activo
status-rejected = Rechazada
status-disputed = Impugnada
status-cancelled = Cancelada
status-rejected_final = Rechazada definitivamente
status-ended = Finalizada

## Motivos (seed 003)
reason-missing_all_poe = Faltan todas las PoE
reason-missing_all_poe-description = Falta la prueba de ejecución: el archivo cargado es incorrecto o no pertenece a esta notificación de asociación.
reason-missing_customer_acknowledgement = Falta la confirmación del cliente
reason-missing_customer_acknowledgement-description = La firma del cliente no está en la PoE.
reason-missing_or_old_dates = Faltan las fechas o son antiguas
reason-missing_or_old_dates-description = Las fechas de la PoE faltan o son antiguas en relación con la notificación.
reason-missing_partner_solution_or_service = Falta la solución o el servicio de asociados
reason-missing_partner_solution_or_service-description = La descripción del trabajo que ha completado es insuficiente o no se incluye en el documento.
reason-missing_products = Faltan productos
reason-missing_products-description = La PoE no incluye un producto o carga de trabajo que se está notificando.
reason-partner_request = Solicitud de asociado
reason-partner_request-description = El asociado solicitó que se rechazara la asociación.
reason-customer_declined = Rechazo de cliente
reason-customer_declined-description = El cliente denegó el consentimiento de la asociación.
reason-insufficient_poe = Prueba de ejecución insuficiente
reason-insufficient_poe-description = La prueba de ejecución es insuficiente.
reason-no_partner_response = Sin respuesta del asociado
reason-no_partner_response-description = No se recibió respuesta en un plazo de { $span }.
reason-missing_customer_consent_on_poe = Falta el consentimiento del cliente en PoE
reason-missing_customer_consent_on_poe-description = La prueba de ejecución no incluye el consentimiento del cliente.
reason-poe_unavailable = PoE no está disponible
reason-poe_unavailable-description = No se pudo abrir la prueba de ejecución.
reason-customer_revoked = El cliente finalizó la asociación
reason-customer_revoked-description = El cliente finalizó la asociación.
reason-partner_disassociated = El asociado finalizó la asociación
reason-partner_disassociated-description = El asociado finalizó la asociación.
reason-dispute_window_closed = Plazo de impugnación vencido
reason-dispute_window_closed-description = Pasó el plazo para impugnar el rechazo.
reason-dispute_rejected = Impugnación rechazada
reason-dispute_rejected-description = Se revisó la impugnación y se rechazó.

## Lo que ve el cliente: el correo y la página de consentimiento.
consent-subject-requested = { $partner } solicita ser reconocido como su partner de Microsoft
consent-subject-approved = Microsoft aprobó a { $partner } como su partner: puede rechazar la asociación
consent-title-requested = Un partner solicita una asociación de clientes con su organización
consent-title-approved = Se aprobó una asociación de partner para su organización
consent-greeting = Hola, { $name }:
consent-why = Recibe este mensaje porque { $partner } le indicó como contacto de su organización para esta asociación de clientes.
consent-claim = { $partner } indica que ayudó a su organización ({ $customer }) a implementar o usar estos servicios, en la notificación «{ $claim }»:
consent-subscription = suscripción { $id }
consent-tenant = inquilino { $tenant }
consent-sees = Si la asociación se mantiene, el partner verá solo los datos de uso y de puestos de estos servicios. No verá sus datos, archivos, mensajes ni el contenido de sus usuarios.
consent-official-on = La asociación será oficial el { $date }, a menos que la rechace antes. También puede finalizarla más adelante desde la misma página.
consent-nothing-to-do = No es necesario que haga nada para aceptar. Si no reconoce a este partner o no quiere la asociación, recházela.
consent-partner-contact = Contacto del partner: { $name } ({ $email })
consent-link = Revisar la asociación o rechazarla

page-title = Asociación de partner
page-kept = Confirmó esta asociación el { $date }. Todavía puede rechazarla a continuación.
page-declined = Rechazó esta asociación el { $date }. El partner no es su partner de registro para estos servicios.
page-official-on = Será oficial el { $date }, a menos que la rechace antes.
page-active = La asociación está activa. Puede finalizarla en cualquier momento.
page-rejected = Microsoft rechazó esta solicitud. El partner todavía puede impugnar el rechazo hasta el { $date }; si no quiere a este partner, rechace la asociación ahora y el rechazo será definitivo.
page-closed = Esta solicitud ya no está abierta: { $status }. No hay nada que decidir.
page-decision = Su decisión
page-keep = Mantener a este partner
page-decline = Rechazar a este partner
page-valid-until = Este vínculo es válido hasta el { $date }.
page-thanks = Gracias
page-recorded-declined = Rechazada. Registramos el { $date } que no quiere esta asociación. Se informó al partner; no necesita hacer nada más.
page-recorded-kept = Mantenida. Registramos el { $date } que reconoce a este partner.
page-not-recorded = No hay nada que decidir
page-choose-title = Elija mantener o rechazar
page-choose-text = El formulario no indicaba su elección. Vuelva atrás y pulse uno de los botones.
page-expired-title = Este vínculo expiró
page-expired-text = Puede rechazar la asociación en cualquier momento. Podemos enviar un vínculo nuevo al contacto registrado para esta solicitud.
page-fresh-button = Enviarme un vínculo nuevo
page-fresh-sent-title = Revise su correo electrónico
page-fresh-sent-text = Si esta solicitud sigue abierta, se está enviando un vínculo nuevo al contacto registrado. Puede tardar unos minutos.
page-fresh-wait-text = Se envió un vínculo nuevo hace poco. Revise su correo electrónico o vuelva a intentarlo más tarde.
page-invalid-title = Este vínculo no es válido
page-invalid-text = Compruebe que abrió el vínculo completo del correo electrónico.
page-busy-title = Vuelva a intentarlo
page-busy-text = La solicitud se está actualizando en este momento. Vuelva a intentarlo en unos instantes.
page-error-title = Algo salió mal
page-error-text = No pudimos cargar esta página. Vuelva a intentarlo más tarde.

## Lo que lee el contacto del partner.
open-claim = Abrir la notificación
partner-action-subject = Acción de asociado requerida: { $claim }
partner-action-title = Se requiere una acción en su notificación
partner-action-intro = El revisor necesita más información sobre la notificación «{ $claim }»:
partner-action-quote = El revisor escribió:
partner-action-respond-by = Edite la notificación o agregue una prueba de ejecución y vuelva a enviarla antes del { $date }. Si no responde antes, se rechazará la notificación.
partner-rejected-subject = Notificación rechazada: { $claim }
partner-rejected-title = Su notificación fue rechazada
partner-rejected-intro = La notificación «{ $claim }» fue rechazada:
partner-rejected-comment = Comentario:
partner-rejected-dispute-by = Si no está de acuerdo, impugne el rechazo desde la página de la notificación antes del { $date }, con una justificación comercial y, si la tiene, una PoE actualizada.
partner-rejected-final = Esta decisión es definitiva. Para volver a reclamar estas cargas de trabajo, cree una notificación nueva.
partner-approved-subject = Notificación aprobada: { $claim }
partner-approved-title = Su notificación fue aprobada
partner-approved-body = La notificación «{ $claim }» fue aprobada. Se informó al cliente, que puede rechazarla hasta el { $date }; después, la asociación será oficial.
partner-activated-subject = Asociación activa: { $claim }
partner-activated-title = Su asociación está activa
partner-activated-body = Terminó el período de consentimiento del cliente para la notificación «{ $claim }». La asociación es oficial y se envió para evaluar la idoneidad de los programas de incentivos.
partner-ended-subject = Asociación finalizada: { $claim }
partner-ended-title = Su asociación finalizó
partner-ended-body = La asociación de la notificación «{ $claim }» finalizó: { $reason }
reviewer-commented-subject = Nuevo comentario en su notificación: { $claim }
reviewer-commented-title = Un revisor comentó su notificación
reviewer-commented-intro = El revisor escribió en la notificación «{ $claim }»:
reviewer-commented-reply = Puede responder en la sección de comentarios de la notificación.
partner-commented-subject = Comentario de asociado pendiente de un revisor: { $claim }
partner-commented-title = Un asociado comentó una notificación
partner-commented-intro = { $partner } escribió en la notificación «{ $claim }» ({ $status }):
customer-unreachable-subject = No se pudo contactar con el cliente: { $claim }
customer-unreachable-title = El cliente no recibió nuestro correo electrónico
customer-unreachable-bounce = No se pudo entregar el correo electrónico dirigido al contacto del cliente sobre la notificación «{ $claim }»: su servidor de correo rechazó la dirección.
customer-unreachable-bounce-next = Compruebe la dirección de correo electrónico del contacto del cliente en la notificación, corríjala si es necesario y vuelva a enviar el correo de consentimiento.
customer-unreachable-complaint = El contacto del cliente marcó como correo no deseado nuestro correo electrónico sobre la notificación «{ $claim }».
customer-unreachable-complaint-next = Hable con el cliente: es posible que no reconozca la solicitud. Todavía puede rechazar la asociación desde el vínculo.

## Interacciones de MCI (seed 004)
engagement-registered-subject = Cliente registrado: { $claim }
engagement-registered-title = Se registró su cliente
engagement-registered-body = El cliente { $customer } se registró para estas interacciones de MCI en la reclamación «{ $claim }»:
engagement-registered-line = { $engagement }: obtenga el consentimiento del cliente antes del { $date }
engagement-registered-payment = { $engagement }: importe de pago propuesto { $amount } USD
engagement-registered-next = Envíe el correo electrónico de consentimiento del cliente desde la página Clientes de la interacción. Si el cliente no da su consentimiento a tiempo, ya no aparecerá en esa página.
open-engagement-claim = Abrir la reclamación
engagement-consent-subject = { $partner } solicita su consentimiento: { $engagement }
engagement-consent-subject-reminder = Recordatorio: { $partner } solicita su consentimiento: { $engagement }
engagement-consent-title = Un partner solicita que su organización participe en una interacción de Microsoft
engagement-consent-ask = { $partner } solicita que su organización ({ $customer }) participe en la interacción de Microsoft Commerce Incentives (MCI) «{ $engagement }».
engagement-consent-means = Al aceptar, usted acepta participar: { $partner } lleva a cabo esta interacción con su organización y Microsoft la registra para los incentivos del partner. No tiene ningún costo para usted y no le da al partner acceso a sus datos.
engagement-consent-by = Acepte o rechace antes del { $date }. Si no responde antes de esa fecha, la solicitud caduca.
engagement-consent-link = Aceptar o rechazar
engagement-given-subject = El cliente dio su consentimiento: { $claim }
engagement-given-body = { $customer } aceptó participar en «{ $engagement }». Envíe la reclamación antes del { $date }.
engagement-declined-subject = El cliente rechazó el consentimiento: { $claim }
engagement-declined-body = { $customer } rechazó participar en «{ $engagement }». La reclamación se cerró y el cliente ya no aparece en la página Clientes de esa interacción.
engagement-expired-subject = Sin consentimiento del cliente a tiempo: { $claim }
engagement-expired-body = { $customer } no dio su consentimiento para «{ $engagement }» a tiempo. La reclamación se cerró y el cliente ya no aparece en la página Clientes de esa interacción.
engagement-submission-expired-subject = Venció el plazo de envío: { $claim }
engagement-submission-expired-body = La reclamación de «{ $engagement }» no se envió a tiempo y se cerró.
engagement-reminder-subject = El plazo de envío vence en dos días hábiles: { $claim }
engagement-reminder-body = La reclamación de «{ $engagement }» ({ $customer }) aún no se ha enviado. Envíela antes del { $date }; después se cerrará y no podrá enviarse.
engagement-approved-subject = Reclamación completada: { $claim }
engagement-approved-body = Microsoft aprobó la reclamación de «{ $engagement }».
engagement-rejected-subject = Reclamación rechazada: { $claim }
engagement-rejected-body = Microsoft rechazó la reclamación de «{ $engagement }». Esta decisión es definitiva.
engagement-page-question = ¿Participa su organización?
engagement-page-accept = Aceptar
engagement-page-decline = Rechazar
engagement-page-accepted = Su organización aceptó participar.
engagement-page-declined = Su organización rechazó participar.
engagement-page-closed = Esta solicitud está cerrada: ya no hay nada que decidir.
engagement-page-expired-title = Este vínculo expiró
engagement-page-expired-text = El plazo para responder a esta solicitud venció o el vínculo es demasiado antiguo. Si su organización aún desea participar, póngase en contacto con el partner.

## The portal's choices: the catalogue's areas, partner roles and purchase channels, and an
## engagement claim's statuses (seeds 000, 002, 004).
area-modern_work_security = Trabajo moderno y seguridad
area-business_applications = Aplicaciones empresariales
role-use_or_consume = Usar o consumir
role-build_intent_advisor = Intención de compilación: Advisor
role-usage_recognition = Reconocimiento de uso: no incentivado
role-influenced_revenue = Reconocimiento de ingresos influenciados: no incentivos
channel-volume_licensing = Licencias por volumen
channel-web_direct = Web-Direct
engagement-status-registered = Registrado
engagement-status-consent_requested = Consentimiento solicitado
engagement-status-consented = Consentimiento dado
engagement-status-submitted = Enviado
engagement-status-completed = Completado
engagement-status-declined = Rechazado por el cliente
engagement-status-consent_expired = Consentimiento vencido
engagement-status-submission_expired = Envío vencido
engagement-status-cancelled = Cancelado
engagement-status-rejected_final = Rechazado
