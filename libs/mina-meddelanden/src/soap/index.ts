export {
  APPLICATION_FAULT_CODES,
  DEFAULT_UNKNOWN_FAULT_KIND,
  FAILURE_CODES,
  classifyFault,
  classifyHttpStatus,
  failureFromError,
} from './failure-classification';
export type { FaultCodeInfo, FaultKindOverrides, SoapService } from './failure-classification';
export {
  SoapResponseError,
  escapeXmlText,
  parseSoapEnvelope,
  parseSoapFault,
  soapPayload,
  soapPayloadOrThrow,
  toSoapEnvelope,
} from './soap-envelope';
export type { ApplicationFault, SoapCallContext, SoapFault, SoapResponse } from './soap-envelope';
export { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT_MS, HttpsTransport } from './https-transport';
export type { HttpResponse, HttpsTransportOptions, TlsClientOptions } from './https-transport';
export {
  FarClient,
  buildIsReachableBody,
  decideReachability,
  parseIsReachablePayload,
  parseIsReachableResponse,
} from './far-client';
export type { FarClientOptions, MailboxOperator, Reachability, ReachabilityReason } from './far-client';
export {
  DEFAULT_MAX_REQUEST_BYTES,
  MailboxOperatorClient,
  SealedDeliveryFormatError,
  parseDeliverSecurePayload,
  parseDeliverSecureResponse,
  toDeliverSecureEnvelope,
} from './mailbox-operator-client';
export type { DeliveryResult, DeliveryStatus, MailboxOperatorClientOptions } from './mailbox-operator-client';
