import { FieldError } from '@closeloop/contracts';
import { ProblemException as PlatformProblem, problem } from '@closeloop/platform';

/** The agent API's errors: problems of type `about:blank`, answered by the platform's one ProblemFilter. */
export class ProblemException extends PlatformProblem {
  constructor(status: number, detail: string, errors?: FieldError[], type = 'about:blank') {
    super(problem(status, detail, { errors, type }));
  }
}

export const badRequest = (detail: string, errors: FieldError[]) => new ProblemException(400, detail, errors);
export const notFound = (detail: string) => new ProblemException(404, detail);
export const unprocessable = (detail: string, errors: FieldError[]) => new ProblemException(422, detail, errors);
export const conflict = (detail: string) => new ProblemException(409, detail);

/** DTO-checked bodies and queries: the platform's one validation path. */
export { validated } from '@closeloop/platform';
