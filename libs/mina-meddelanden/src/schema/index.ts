export {
  SchemaValidator,
  SchemaValidationError,
  resolveContractSchemaDir,
  type DocumentKind,
  type SchemaValidationIssue,
  type SchemaValidationResult,
  type SchemaValidatorOptions,
} from './schema-validator';
