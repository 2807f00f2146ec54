import { DynamicModule, Module } from '@nestjs/common';
import { DATABASE_READINESS, DatabaseModule, ObservabilityModule, READINESS_CHECKS, SERVICE_LOGGER, PrivacyModule } from '@closeloop/platform';
import { KAFKA_READINESS, MessagingModule } from '@closeloop/messaging';
import type { Logger } from 'pino';
import { TicketEventsConsumer } from './alerts/ticket-events.consumer';
import { TrendEventsConsumer } from './trends/trend-events.consumer';
import { TeamDigestsConsumer } from './digest/team-digests.consumer';
import { CHAT_CHANNEL, createChatChannel, createEmailChannel, createSmsChannel, EMAIL_CHANNEL, LogChannel, SMS_CHANNEL } from './channels';
import { NotificationConfig, SERVICE, slackConfigured, twilioConfigured } from './config';
import { databaseOptions } from './database';
import { CustomerConsent } from './outreach/customer-consent';
import { TwilioInboundController } from './outreach/inbound.controller';
import { OutreachRepository } from './outreach/outreach.repository';
import { DeliveryPublisher } from './delivery/delivery-publisher';
import { DeliveryWorker } from './delivery/delivery-worker';
import { Housekeeping } from './housekeeping';
import { NotificationRepository } from './persistence/notification.repository';
import { UnsubscribeController } from './outreach/unsubscribe.controller';
import { UnsubscribeLinks } from './outreach/unsubscribe-links';
import { RecheckController } from './recheck/recheck.controller';
import { RecheckLinks } from './recheck/recheck-links';
import { ErasureRepository } from './privacy/erase-customer';
import { ErasureConsumer } from './privacy/erasure.consumer';
import { RedactionWorker } from './privacy/redaction-worker';
import { PrivacyRetention } from './privacy/retention';
import { SlackInteractionsController } from './slack/interactions.controller';
import { LOG_CHANNEL, LOGGER, NOTIFICATION_CONFIG, ROUTING } from './tokens';
import { TwilioStatusController } from './twilio/status.controller';

/** Says once, at start, which channels deliver (a factory, not a lifecycle hook: those may run twice in the hybrid app). */
const CHANNELS_ANNOUNCED = Symbol('CHANNELS_ANNOUNCED');

@Module({})
export class NotificationModule {
  static forRoot(cfg: NotificationConfig): DynamicModule {
    const timeoutMs = cfg.delivery.providerTimeoutMs;
    const slack = slackConfigured(cfg);
    const twilio = twilioConfigured(cfg);
    return {
      module: NotificationModule,
      imports: [
        ObservabilityModule.forRoot({ service: SERVICE, logLevel: cfg.log.level }),
        DatabaseModule.forRoot(databaseOptions(cfg)), PrivacyModule.forRoot(cfg.privacy),
        MessagingModule.forRoot({ service: SERVICE, kafka: cfg.kafka, schema: cfg.database.schema }),
      ],
      controllers: [TicketEventsConsumer, TrendEventsConsumer, TeamDigestsConsumer, ErasureConsumer, SlackInteractionsController, TwilioStatusController, RecheckController, TwilioInboundController, UnsubscribeController],
      providers: [
        { provide: ROUTING, useValue: cfg.routing },
        { provide: NOTIFICATION_CONFIG, useValue: cfg },
        { provide: LOGGER, useExisting: SERVICE_LOGGER },
        {
          provide: CHANNELS_ANNOUNCED,
          inject: [SERVICE_LOGGER],
          useFactory: (logger: Logger) => {
            logger.info(
              {
                slack: slack ? 'slack' : 'log channel',
                sms: twilio ? 'twilio' : 'log channel',
                email: cfg.email.smtpUrl ? 'smtp' : 'log channel',
                statusCallbacks: twilio && cfg.publicBaseUrl !== undefined,
              },
              'notification channels',
            );
            return true;
          },
        },
        { provide: NotificationRepository, useValue: new NotificationRepository(cfg.database.schema) },
        { provide: RecheckLinks, useValue: new RecheckLinks(cfg.database.schema) },
        { provide: UnsubscribeLinks, useValue: new UnsubscribeLinks(cfg.database.schema) },
        {
          provide: CHAT_CHANNEL,
          inject: [SERVICE_LOGGER],
          useFactory: (logger: Logger) =>
            createChatChannel({ botToken: slack ? cfg.slack.botToken : undefined, apiUrl: cfg.slack.apiUrl, timeoutMs, logger: logger.child({ provider: 'slack' }) }),
        },
        {
          provide: SMS_CHANNEL,
          inject: [SERVICE_LOGGER],
          useFactory: (logger: Logger) =>
            createSmsChannel({
              ...(twilio ? { accountSid: cfg.twilio.accountSid, authToken: cfg.twilio.authToken, from: cfg.twilio.fromNumber } : {}),
              apiUrl: cfg.twilio.apiUrl,
              timeoutMs,
              logger: logger.child({ provider: 'twilio' }),
            }),
        },
        {
          provide: EMAIL_CHANNEL,
          inject: [SERVICE_LOGGER],
          useFactory: (logger: Logger) => createEmailChannel({ url: cfg.email.smtpUrl, from: cfg.email.from, timeoutMs, logger: logger.child({ provider: 'smtp' }) }),
        },
        { provide: LOG_CHANNEL, inject: [SERVICE_LOGGER], useFactory: (logger: Logger) => new LogChannel(logger.child({ provider: 'log' })) },
        DeliveryPublisher,
        CustomerConsent,
        { provide: OutreachRepository, useValue: new OutreachRepository(cfg.database.schema) },
        DeliveryWorker,
        Housekeeping,
        { provide: ErasureRepository, useValue: new ErasureRepository(cfg.database.schema) },
        RedactionWorker,
        PrivacyRetention,
        { provide: READINESS_CHECKS, inject: [DATABASE_READINESS, KAFKA_READINESS], useFactory: (...checks: unknown[]) => checks },
      ],
    };
  }
}
