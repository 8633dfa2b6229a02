'use strict';
/**
 * Seldon errors: what user code throws and how any error becomes a Seldon status answer.
 *
 * Mirrors src/seldon_s2i/runtime/errors.py (seldon-core 1.17.1's flask_utils.SeldonMicroserviceException
 * and user_model.SeldonNotImplementedError), recognised by `name` so a model may define its own copies.
 */

const BAD_DATA = 'MICROSERVICE_BAD_DATA';
const INTERNAL_ERROR = 'MICROSERVICE_INTERNAL_ERROR';
const BAD_METRIC = 'MICROSERVICE_BAD_METRIC';
const BAD_METADATA = 'MICROSERVICE_BAD_METADATA';
const BAD_PARAMETER = 'MICROSERVICE_BAD_PARAMETER';

/** An error the client caused, with its HTTP status (default 400) and Seldon reason. */
class SeldonMicroserviceException extends Error {
  /**
   * @param {string} message  the status `info` of the answer
   * @param {number} [statusCode=400]  HTTP status (100-599; anything else is 400)
   * @param {string} [reason='MICROSERVICE_BAD_DATA']  the status `reason`
   */
  constructor(message, statusCode = 400, reason = BAD_DATA) {
    super(message);
    this.name = 'SeldonMicroserviceException';
    this.statusCode = statusCode;
    this.reason = reason;
  }
}

/** Thrown by an optional user hook to say "not implemented: behave as if absent". */
class SeldonNotImplementedError extends Error {
  constructor(message = 'not implemented') {
    super(message);
    this.name = 'SeldonNotImplementedError';
  }
}

/** @returns {boolean} true for a SeldonNotImplementedError (by name, any copy of the class). */
function isNotImplemented(err) {
  return Boolean(err) && err.name === 'SeldonNotImplementedError';
}

/**
 * (HTTP status, reason, info) of any thrown value, as seldon-core reports it:
 * a SeldonMicroserviceException keeps its status and reason, anything else is 500 INTERNAL_ERROR.
 * @returns {[number, string, string]}
 */
function describe(err) {
  if (err && err.name === 'SeldonMicroserviceException') {
    let status = err.statusCode ?? err.status_code ?? 400;
    if (!Number.isInteger(status) || status < 100 || status > 599) status = 400;
    return [status, String(err.reason || BAD_DATA), String(err.message)];
  }
  return [500, INTERNAL_ERROR, err instanceof Error ? err.message : String(err)];
}

/** The Seldon status document every error answer carries. */
function statusBody(info, reason) {
  return { status: { code: -1, info, reason, status: 1 } };
}

module.exports = {
  BAD_DATA,
  INTERNAL_ERROR,
  BAD_METRIC,
  BAD_METADATA,
  BAD_PARAMETER,
  SeldonMicroserviceException,
  SeldonNotImplementedError,
  isNotImplemented,
  describe,
  statusBody,
};
