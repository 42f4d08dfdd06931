/** One failing input field, as the API reports it in `errors`. */
export interface FieldError {
  field: string;
  message: string;
}

/** The request itself is wrong (query, path, headers or body framing): 400 with field errors. */
export class InvalidRequest extends Error {
  override readonly name = 'InvalidRequest';
  constructor(
    message: string,
    readonly errors: FieldError[],
  ) {
    super(message);
  }
}

/** The body is over the API's size limit: 413. */
export class PayloadTooLarge extends Error {
  override readonly name = 'PayloadTooLarge';
}

/** The body is not declared as JSON: 415. */
export class UnsupportedMediaType extends Error {
  override readonly name = 'UnsupportedMediaType';
}

/** The function is deployed without something it needs (e.g. TABLE_NAME): 500, logged at ERROR. */
export class MisconfiguredFunction extends Error {
  override readonly name = 'MisconfiguredFunction';
}
