import { DynamicModule, Injectable, Module, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuthFailureThrottle, BearerAuth, DATABASE_READINESS, DatabaseModule, ObservabilityModule, READINESS_CHECKS, SERVICE_LOGGER, PrivacyModule } from '@closeloop/platform';
import { KAFKA_READINESS, MessagingModule } from '@closeloop/messaging';
import { AgentAuthGuard } from './api/auth.guard';
import { ReportsController } from './api/reports.controller';
import { TicketsController } from './api/tickets.controller';
import { SERVICE, TicketsConfig } from './config';
import { databaseOptions } from './database';
import { setOpenTicketsSampler } from './metrics';
import { EscalationRepository } from './escalation/escalation.repository';
import { EscalationScheduler } from './escalation/escalation.scheduler';
import { ContactRepository } from './messages/contact.repository';
import { CustomerMessageService } from './messages/customer-message.service';
import { MessageRepository } from './messages/message.repository';
import { MessagesController } from './messages/messages.controller';
import { TicketRepository } from './persistence/ticket.repository';
import { AssignmentRepository } from './assignment/assignment.repository';
import { RecheckRepository } from './recheck/recheck.repository';
import { RecheckScheduler } from './recheck/recheck.scheduler';
import { RecheckService } from './recheck/recheck.service';
import { TicketConsumers } from './tickets/consumers';
import { SlaScheduler } from './tickets/sla.scheduler';
import { TicketService } from './tickets/ticket.service';
import { DigestRepository } from './digest/digest.repository';
import { DigestScheduler } from './digest/digest.scheduler';
import { DigestService } from './digest/digest.service';
import { TrendRepository } from './trends/trend.repository';
import { TrendScheduler } from './trends/trend.scheduler';
import { TrendService } from './trends/trend.service';
import { TrendsController } from './trends/trends.controller';
import { LOGGER, ROUTING, TICKETS_CONFIG } from './tokens';
import { ErasureConsumers } from './privacy/erasure.consumers';
import { ErasureController } from './privacy/erasure.controller';
import { ErasureRepository } from './privacy/erasure.repository';
import { ErasureScheduler } from './privacy/erasure.scheduler';
import { ErasureService } from './privacy/erasure.service';
import { RetentionScheduler } from './privacy/retention';

/** The open-tickets gauge reads the table at scrape time. */
@Injectable()
class OpenTicketsGauge implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(private readonly ds: DataSource, private readonly repo: TicketRepository) {}
  onApplicationBootstrap(): void {
    setOpenTicketsSampler(() => this.repo.countOpen(this.ds.manager));
  }
  onModuleDestroy(): void {
    setOpenTicketsSampler(null);
  }
}

@Module({})
export class TicketsModule {
  static forRoot(cfg: TicketsConfig): DynamicModule {
    const schema = cfg.database.schema;
    return {
      module: TicketsModule,
      imports: [
        ObservabilityModule.forRoot({ service: SERVICE, logLevel: cfg.log.level }),
        DatabaseModule.forRoot(databaseOptions(cfg)), PrivacyModule.forRoot(cfg.privacy),
        MessagingModule.forRoot({ service: SERVICE, kafka: cfg.kafka, schema }),
      ],
      controllers: [TicketConsumers, ErasureConsumers, TicketsController, MessagesController, ReportsController, TrendsController, ErasureController],
      providers: [
        { provide: ROUTING, useValue: cfg.routing },
        { provide: TICKETS_CONFIG, useValue: cfg },
        { provide: LOGGER, useExisting: SERVICE_LOGGER },
        { provide: TicketRepository, useValue: new TicketRepository(schema) },
        TicketService,
        { provide: ContactRepository, useValue: new ContactRepository(schema) },
        { provide: MessageRepository, useValue: new MessageRepository(schema) },
        CustomerMessageService,
        SlaScheduler,
        { provide: RecheckRepository, useValue: new RecheckRepository(schema) },
        { provide: AssignmentRepository, useValue: new AssignmentRepository(schema) },
        RecheckService,
        RecheckScheduler,
        { provide: EscalationRepository, useValue: new EscalationRepository(schema) },
        EscalationScheduler,
        { provide: TrendRepository, useValue: new TrendRepository(schema) },
        TrendService,
        TrendScheduler,
        { provide: DigestRepository, useValue: new DigestRepository(schema) },
        DigestService,
        DigestScheduler,
        { provide: ErasureRepository, useValue: new ErasureRepository(schema) },
        ErasureService,
        ErasureScheduler,
        RetentionScheduler,
        { provide: BearerAuth, useValue: new BearerAuth(cfg.apiTokens, new AuthFailureThrottle()) },
        AgentAuthGuard,
        OpenTicketsGauge,
        { provide: READINESS_CHECKS, inject: [DATABASE_READINESS, KAFKA_READINESS], useFactory: (...checks: unknown[]) => checks },
      ],
    };
  }
}
