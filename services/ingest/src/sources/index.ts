import type { SourceKind } from '@closeloop/contracts';
import { delighted } from './delighted';
import { formbricks } from './formbricks';
import { generic } from './generic';
import { qualtrics } from './qualtrics';
import { questionpro } from './questionpro';
import type { Connector } from './source';
import { surveymonkey } from './surveymonkey';
import { typeform } from './typeform';

/** Every kind of SPEC §10, by the name the routing file uses. */
export const CONNECTORS: Readonly<Record<SourceKind, Connector>> = { questionpro, typeform, delighted, formbricks, qualtrics, surveymonkey, generic };

export type { Connector, Delivery, FetchRequest, Headers, MapContext, MapResult } from './source';
