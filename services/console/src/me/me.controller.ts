import { Body, Controller, Get, HttpCode, Inject, Put, Req, UseGuards } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOCALES, type Locale, isLocale } from '@closeloop/contracts';
import { ProblemException, Requires, permissionsOf, problem } from '@closeloop/platform';
import { AuthedRequest, BearerGuard, signedInAs } from '../auth/bearer.guard';
import { CONSOLE_LOGGER } from '../tokens';
import { AgentLocales } from './agent-locales';

/**
 * Who is signed in, answered locally (routing file and the console's own schema), so sign-in and the ops pages work
 * while tickets is down; and the language the agent reads the console in (SPEC §14).
 */
@Controller('api/me')
@UseGuards(BearerGuard)
export class MeController {
  constructor(private readonly locales: AgentLocales, @Inject(CONSOLE_LOGGER) private readonly logger: Logger) {}

  /** The agent's choice; while the database cannot answer, none (sign-in must not depend on a language). */
  private async chosen(agentId: string): Promise<Locale | null> {
    try {
      return await this.locales.chosen(agentId);
    } catch (err) {
      this.logger.warn({ err }, 'the chosen console language could not be read: the routing file\'s is used');
      return null;
    }
  }

  @Get()
  @Requires('session')
  async me(@Req() req: AuthedRequest) {
    const agent = signedInAs(req);
    return {
      agent: { id: agent.id, name: agent.name, team: agent.team, role: agent.role },
      // the agent's own choice in the console, else the routing file's agents[].locale (en by default)
      locale: (await this.chosen(agent.id)) ?? agent.locale,
      // the pages the console shows are the ones these permissions open (SPEC §12)
      permissions: permissionsOf(agent.role),
    };
  }

  /** The language switcher: remembered per agent, for every browser they sign in from. */
  @Put('locale')
  @Requires('session')
  @HttpCode(200)
  async chooseLocale(@Req() req: AuthedRequest, @Body() body: unknown) {
    const agent = signedInAs(req);
    const locale = (body as { locale?: unknown } | null)?.locale;
    if (!isLocale(locale)) {
      const message = `must be one of ${LOCALES.join(', ')}${typeof locale === 'string' ? ` (got "${locale.slice(0, 20)}")` : ''}`;
      throw new ProblemException(problem(400, `the console does not speak that language: locale ${message}`, { errors: [{ field: 'locale', message }] }));
    }
    await this.locales.choose(agent.id, locale);
    return { locale };
  }
}
