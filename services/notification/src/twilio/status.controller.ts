import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import type { HttpResponse, RawRequest } from '../http';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { DELIVERY_STATUSES, maskPhoneNumber, nextDeliveryStatus, parseTwilioStatusCallback, type DeliveryStatus as ProviderStatus } from '../channels';
import { twilioStatusCallbackUrl, type NotificationConfig } from '../config';
import { DeliveryPublisher } from '../delivery/delivery-publisher';
import { deliveryStatusFor } from '../delivery/retry-policy';
import { twilioCallbacksTotal } from '../metrics';
import { NotificationRepository } from '../persistence/notification.repository';
import { LOGGER, NOTIFICATION_CONFIG } from '../tokens';
import { verifyTwilioSignature } from './signature';

/**
 * `POST /twilio/status`: Twilio's status callbacks for the SMS we sent. The signature covers the exact URL given
 * as StatusCallback, which behind a proxy is not the URL this process sees, so it is rebuilt from PUBLIC_BASE_URL
 * (plus the query string as received). Statuses only move forward: callbacks arrive out of order.
 */
@Controller('twilio')
export class TwilioStatusController {
  constructor(
    private readonly ds: DataSource,
    private readonly repo: NotificationRepository,
    private readonly publisher: DeliveryPublisher,
    @Inject(NOTIFICATION_CONFIG) private readonly cfg: NotificationConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  @Post('status')
  async status(@Req() req: RawRequest, @Res() res: HttpResponse): Promise<void> {
    const params = Object.fromEntries(new URLSearchParams(req.rawBody?.toString('utf8') ?? ''));
    const base = twilioStatusCallbackUrl(this.cfg);
    const q = req.originalUrl.indexOf('?');
    const check = base
      ? verifyTwilioSignature({ authToken: this.cfg.twilio.authToken ?? '', signature: req.headers['x-twilio-signature'], url: base + (q >= 0 ? req.originalUrl.slice(q) : ''), params })
      : ({ ok: false, reason: 'not_configured' } as const);
    if (!check.ok) {
      twilioCallbacksTotal.inc({ outcome: 'rejected_signature' });
      this.log.warn({ reason: check.reason, publicBaseUrl: base !== undefined }, 'twilio status callback refused: bad signature');
      res.status(403).json({ error: 'invalid_signature' });
      return;
    }
    const cb = parseTwilioStatusCallback(params);
    if (!cb) {
      twilioCallbacksTotal.inc({ outcome: 'invalid' });
      res.status(400).json({ error: 'invalid_callback', detail: 'MessageSid and MessageStatus are required' });
      return;
    }

    const outcome = await this.ds.transaction(async (m) => {
      const row = await this.repo.smsByProviderIdForUpdate(m, cb.providerId);
      if (!row) return 'unknown_message' as const;
      const current = (DELIVERY_STATUSES as readonly string[]).includes(row.provider_status ?? '') ? (row.provider_status as ProviderStatus) : 'queued';
      const next = nextDeliveryStatus(current, cb.status);
      if (next === current) return 'unchanged' as const;
      const status = deliveryStatusFor(next);
      const failed = status === 'failed';
      const updated = await this.repo.setProviderStatus(
        m,
        row.id,
        status,
        next,
        failed ? `Twilio reported ${cb.providerStatus}${cb.errorCode ? ` (error ${cb.errorCode})` : ''}` : null,
        failed ? (cb.errorCode ?? cb.providerStatus) : null,
      );
      await this.publisher.publishIfChanged(m, updated);
      this.log.info({ deliveryId: row.id, to: maskPhoneNumber(row.recipient), from: current, status: next, errorCode: cb.errorCode }, 'sms status recorded');
      return 'recorded' as const;
    });
    twilioCallbacksTotal.inc({ outcome });
    if (outcome === 'unknown_message') this.log.warn({ messageSid: cb.providerId, status: cb.providerStatus }, 'twilio status callback for a message we do not know');
    // Twilio only needs a 2xx; the body is ignored.
    res.status(200).type('text/xml').send('<Response/>');
  }
}
