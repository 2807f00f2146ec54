import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { MAX_BATCH_ITEMS } from '../config';
import { BEARER, COMMON_PROBLEMS, problemResponse, ref } from '../openapi/openapi';
import { Accepted, BatchResult, IntakeService } from './intake.service';

/** Adds the responses every ingest endpoint can give besides its own. */
function commonProblems(): MethodDecorator {
  return (target, key, descriptor) => {
    for (const [status, r] of Object.entries(COMMON_PROBLEMS)) ApiResponse({ status: Number(status), ...r })(target, key, descriptor);
  };
}

/**
 * SPEC §4. Auth, rate limit, media type and body size are enforced before this controller (IntakeGate);
 * the body arrives parsed and is validated here against the contract.
 */
@ApiTags('feedback')
@ApiBearerAuth(BEARER)
@Controller('v1/feedback')
export class FeedbackController {
  constructor(private readonly intake: IntakeService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Submit one feedback',
    description:
      'Answers 202 only after Kafka acknowledged the feedback.received event. Resubmitting the same (source, externalId) returns the same feedbackId: ' +
      'with the same score and comment it is a duplicate (not sent again), with a changed one the next revision.',
  })
  @ApiBody({ schema: ref('Feedback') })
  @ApiResponse({ status: 202, description: 'Accepted: durable on Kafka', schema: ref('Accepted') })
  @ApiResponse({ status: 400, ...problemResponse('Malformed JSON, or the feedback is invalid: `errors` names every bad field') })
  @commonProblems()
  submit(@Body() body: unknown): Promise<Accepted> {
    return this.intake.submitOne(body);
  }

  @Post('batch')
  @HttpCode(200)
  @ApiOperation({
    summary: `Submit up to ${MAX_BATCH_ITEMS} feedback items`,
    description:
      'Each item is validated on its own: results[i] is {feedbackId, duplicate, revision} or {errors}. The valid items are published together; ' +
      'the 200 is sent only after Kafka acknowledged all of them, and a 503 means none of them is accepted.',
  })
  @ApiBody({ schema: ref('BatchRequest') })
  @ApiResponse({ status: 200, description: 'One result per item, in order', schema: ref('BatchResponse') })
  @ApiResponse({ status: 400, ...problemResponse(`Malformed JSON, or not {"items": [...]} with 1 to ${MAX_BATCH_ITEMS} items`) })
  @commonProblems()
  submitBatch(@Body() body: unknown): Promise<{ results: BatchResult[] }> {
    return this.intake.submitBatch(body);
  }
}
