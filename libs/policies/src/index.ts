export { CaseTypeService, CaseTypeNotFoundError } from './case-type.service';
export type { CaseTypeView, CaseTypeInput, CaseTypeUpdate } from './case-type.types';
export { validateNewCaseType, validateCaseTypeUpdate, CASE_TYPE_CODE, MAX_CASE_TYPE_NAME_LENGTH, MAX_BODY_TEMPLATE_LENGTH } from './case-type.validator';
export type { CaseTypeFields } from './case-type.validator';
export {
  notificationMayIncludeSubject,
  protectionClassPolicy,
  changeProtectionClassPolicy,
  DEFAULT_NOTIFICATION_SUBJECT,
  PRINT_RULES,
  PROTECTION_CLASSES,
} from './protection-class-policy';
export type { PrintRule, ProtectionClass, ProtectionClassRule, ProtectionClassRuleInput, PolicyChange } from './protection-class-policy';
export { ProtectionClassPolicyService } from './protection-class-policy.service';
// The template language of case types lives with the letters that use it; re-exported for callers of this lib.
export { TEMPLATE_PLACEHOLDERS, parseTemplate, expandTemplate } from '@hub/letters';
export type { TemplatePlaceholder } from '@hub/letters';
