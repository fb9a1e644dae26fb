/**
 * Checks a synthesized CloudFormation template against the CloudFormation resource database that CDK
 * itself is generated from (`@aws-cdk/aws-service-spec`): every resource type and property known,
 * required properties present, primitive types right where they can be told, and every Ref, Fn::GetAtt,
 * Fn::Sub, DependsOn and Condition pointing at something the template defines.
 *
 * A value built with an intrinsic function (`Ref`, `Fn::*`) is accepted for a property of any type and
 * is not type-checked further: its value is only known at deploy time. Its references are still checked.
 */
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { Property, PropertyType, Resource, SpecDatabase } from '@aws-cdk/service-spec-types';

export type { SpecDatabase };

export interface TemplateProblem {
  /** The resource (or output, condition, rule, section) the problem is in. */
  logicalId: string;
  /** Where, from the template's root: `Resources.Fn.Properties.Environment.Variables`. */
  path: string;
  message: string;
}

let loaded: SpecDatabase | undefined;

/** The resource database, read and parsed once per process (~0.5 s, ~2.6 MB gzipped). */
export function loadSpecDatabase(): SpecDatabase {
  loaded ??= loadAwsServiceSpecSync();
  return loaded;
}

const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);
const TEMPLATE_SECTIONS = new Set([
  'AWSTemplateFormatVersion',
  'Description',
  'Metadata',
  'Parameters',
  'Rules',
  'Mappings',
  'Conditions',
  'Transform',
  'Resources',
  'Outputs',
  'Hooks',
]);
const RESOURCE_KEYS = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Condition',
  'Metadata',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'UpdatePolicy',
  'CreationPolicy',
]);
const DELETION_POLICIES = ['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot'];
const UPDATE_REPLACE_POLICIES = ['Delete', 'Retain', 'Snapshot'];
/** Not in the registry, but CloudFormation accepts it: CDK's version-reporting resource. */
const CDK_METADATA_TYPE = 'AWS::CDK::Metadata';

type Json = unknown;
type JsonObject = Record<string, Json>;
/** A problem found inside a value, before the owning logical id is attached. */
interface Finding {
  path: string;
  message: string;
}

function isObject(value: Json): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{ "Ref": ... }` or `{ "Fn::X": ... }`: a value only known at deploy time, valid for any type. */
export function isIntrinsic(value: Json): value is JsonObject {
  if (!isObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'));
}

function isCustomResourceType(type: string): boolean {
  return type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
}

function kindOf(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

function join(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : `${path}.${key}`;
}

function lookupResource(db: SpecDatabase, type: string): Resource | undefined {
  return db.lookup('resource', 'cloudFormationType', 'equals', type)[0];
}

function describeType(db: SpecDatabase, type: PropertyType): string {
  switch (type.type) {
    case 'array':
      return `list of ${describeType(db, type.element)}`;
    case 'map':
      return `map of ${describeType(db, type.element)}`;
    case 'union':
      return type.types.map((t) => describeType(db, t)).join(' | ');
    case 'ref':
      return db.get('typeDefinition', type.reference).name;
    case 'tag':
      return 'Tag';
    default:
      return type.type;
  }
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The known name a misspelt one most likely meant: the same but for case, or at most two edits away. */
function didYouMean(key: string, known: string[]): string {
  const lower = key.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(lower, name.toLowerCase());
    if (distance <= Math.min(2, Math.floor(key.length / 3)) && (!best || distance < best.distance)) best = { name, distance };
  }
  return best ? ` (did you mean ${best.name}?)` : '';
}

// CloudFormation converts scalars between its primitive types: "true"/"false" for booleans, numeric
// strings for numbers, and numbers or booleans for strings. Only what it cannot convert is a problem.
const INTEGER_STRING = /^\s*[-+]?\d+\s*$/;
const NUMBER_STRING = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

function checkPrimitive(value: Json, type: 'string' | 'number' | 'integer' | 'boolean' | 'date-time' | 'null', path: string): Finding[] {
  let ok: boolean;
  switch (type) {
    case 'string':
    case 'date-time':
      ok = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
      break;
    case 'number':
      ok = (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && NUMBER_STRING.test(value));
      break;
    case 'integer':
      ok = (typeof value === 'number' && Number.isInteger(value)) || (typeof value === 'string' && INTEGER_STRING.test(value));
      break;
    case 'boolean':
      ok = typeof value === 'boolean' || (typeof value === 'string' && /^(true|false)$/i.test(value));
      break;
    case 'null':
      ok = value === null;
      break;
  }
  return ok ? [] : [{ path, message: `expected ${type}, got ${kindOf(value)}` }];
}

function checkValue(db: SpecDatabase, value: Json, type: PropertyType, path: string): Finding[] {
  if (isIntrinsic(value)) return [];
  switch (type.type) {
    case 'json':
      return [];
    case 'string':
    case 'number':
    case 'integer':
    case 'boolean':
    case 'date-time':
    case 'null':
      return checkPrimitive(value, type.type, path);
    case 'tag':
      if (!isObject(value)) return [{ path, message: `expected a Tag object, got ${kindOf(value)}` }];
      return checkObject(db, value, TAG_PROPERTIES, path);
    case 'array':
      if (!Array.isArray(value)) return [{ path, message: `expected a list of ${describeType(db, type.element)}, got ${kindOf(value)}` }];
      return value.flatMap((element, i) => checkValue(db, element, type.element, join(path, i)));
    case 'map':
      if (!isObject(value)) return [{ path, message: `expected a map of ${describeType(db, type.element)}, got ${kindOf(value)}` }];
      return Object.entries(value).flatMap(([key, element]) => checkValue(db, element, type.element, join(path, key)));
    case 'ref': {
      const definition = db.get('typeDefinition', type.reference);
      if (!isObject(value)) return [{ path, message: `expected ${definition.name} (an object), got ${kindOf(value)}` }];
      return checkObject(db, value, definition.properties, path);
    }
    case 'union': {
      const results = type.types.map((alternative) => checkValue(db, value, alternative, path));
      if (results.some((findings) => findings.length === 0)) return [];
      // An alternative whose shape matched (its problems are all further in) says more than "none matched".
      const shapeMatched = results.filter((findings) => findings.every((f) => f.path !== path));
      if (shapeMatched.length > 0) return shapeMatched.reduce((best, next) => (next.length < best.length ? next : best));
      return [{ path, message: `expected ${describeType(db, type)}, got ${kindOf(value)}` }];
    }
  }
}

const TAG_PROPERTIES: Record<string, Property> = {
  Key: { type: { type: 'string' }, required: true },
  Value: { type: { type: 'string' }, required: true },
};

/** The current type first; a property's earlier typed shapes are accepted too (a bare `json` one is not, it checked nothing). */
function checkProperty(db: SpecDatabase, value: Json, property: Property, path: string): Finding[] {
  const findings = checkValue(db, value, property.type, path);
  if (findings.length === 0) return findings;
  const earlier = (property.previousTypes ?? []).filter((t) => t.type !== 'json');
  if (earlier.some((t) => checkValue(db, value, t, path).length === 0)) return [];
  return findings;
}

function checkObject(db: SpecDatabase, value: JsonObject, properties: Record<string, Property>, path: string): Finding[] {
  const findings: Finding[] = [];
  const known = Object.keys(properties);
  for (const [key, propertyValue] of Object.entries(value)) {
    const property = properties[key];
    if (!property) {
      findings.push({ path: join(path, key), message: `unknown property ${key}${didYouMean(key, known)}` });
      continue;
    }
    findings.push(...checkProperty(db, propertyValue, property, join(path, key)));
  }
  for (const [key, property] of Object.entries(properties)) {
    if (property.required && !(key in value)) findings.push({ path: join(path, key), message: `required property ${key} is missing` });
  }
  return findings;
}

interface Scope {
  resources: JsonObject;
  parameters: Set<string>;
  conditions: Set<string>;
  mappings: Set<string>;
  db: SpecDatabase;
}

function checkGetAtt(scope: Scope, target: string, attribute: Json, path: string): Finding[] {
  const resource = scope.resources[target];
  if (!isObject(resource)) {
    const what = scope.parameters.has(target) ? 'a parameter, not a resource' : 'no such resource';
    return [{ path, message: `Fn::GetAtt target ${target}: ${what}` }];
  }
  if (typeof attribute !== 'string') return []; // an attribute name from an intrinsic: known at deploy time
  const type = resource.Type;
  if (typeof type !== 'string' || isCustomResourceType(type) || type === CDK_METADATA_TYPE) return [];
  const spec = lookupResource(scope.db, type);
  if (!spec) return []; // the unknown type is reported on the resource itself
  const attributes = Object.keys(spec.attributes);
  if (attributes.length === 0 || attributes.includes(attribute)) return [];
  // `Outputs.Name` of a nested stack, and the like: a listed attribute with a member path after it.
  const dot = attribute.indexOf('.');
  if (dot > 0 && attributes.includes(attribute.slice(0, dot))) return [];
  return [{ path, message: `Fn::GetAtt ${target}.${attribute}: ${type} has no attribute ${attribute} (it has ${attributes.join(', ')})` }];
}

function checkRef(scope: Scope, target: Json, path: string, intrinsic: string): Finding[] {
  if (typeof target !== 'string') return [];
  if (target in scope.resources || scope.parameters.has(target) || PSEUDO_PARAMETERS.has(target)) return [];
  return [{ path, message: `${intrinsic} to ${target}: no such resource, parameter or pseudo parameter` }];
}

/** `${Name}`, `${Name.Attribute}`; `${!Literal}` is not a reference, and names in the variable map are local. */
function checkSub(scope: Scope, text: string, variables: Set<string>, path: string): Finding[] {
  const findings: Finding[] = [];
  for (const match of text.matchAll(/\$\{([^}]*)\}/g)) {
    const name = match[1]!.trim();
    if (name.startsWith('!') || variables.has(name)) continue;
    const dot = name.indexOf('.');
    if (dot > 0 && !PSEUDO_PARAMETERS.has(name)) findings.push(...checkGetAtt(scope, name.slice(0, dot), name.slice(dot + 1), path));
    else findings.push(...checkRef(scope, name, path, 'Fn::Sub reference'));
  }
  return findings;
}

const CONDITION_FUNCTIONS = new Set(['Fn::And', 'Fn::Or', 'Fn::Not']);

/** Walks any value (into intrinsics too) and checks what each reference points at. */
function checkReferences(scope: Scope, value: Json, path: string): Finding[] {
  if (Array.isArray(value)) return value.flatMap((element, i) => checkReferences(scope, element, join(path, i)));
  if (!isObject(value)) return [];
  const findings: Finding[] = [];
  if (isIntrinsic(value)) {
    const [name, args] = Object.entries(value)[0]!;
    const at = join(path, name);
    if (name === 'Ref') findings.push(...checkRef(scope, args, at, 'Ref'));
    else if (name === 'Fn::GetAtt') {
      if (typeof args === 'string') {
        const dot = args.indexOf('.');
        if (dot <= 0) findings.push({ path: at, message: `Fn::GetAtt "${args}" is not "LogicalId.Attribute"` });
        else findings.push(...checkGetAtt(scope, args.slice(0, dot), args.slice(dot + 1), at));
      } else if (Array.isArray(args) && args.length === 2 && typeof args[0] === 'string') {
        findings.push(...checkGetAtt(scope, args[0], args[1], at));
      } else if (!isIntrinsic(args)) {
        findings.push({ path: at, message: 'Fn::GetAtt takes [LogicalId, Attribute] or "LogicalId.Attribute"' });
      }
    } else if (name === 'Fn::Sub') {
      if (typeof args === 'string') findings.push(...checkSub(scope, args, new Set(), at));
      else if (Array.isArray(args) && typeof args[0] === 'string' && isObject(args[1])) {
        findings.push(...checkSub(scope, args[0], new Set(Object.keys(args[1])), at));
      }
    } else if (name === 'Fn::If' && Array.isArray(args) && typeof args[0] === 'string') {
      if (!scope.conditions.has(args[0])) findings.push({ path: at, message: `Fn::If condition ${args[0]}: no such condition` });
    } else if (CONDITION_FUNCTIONS.has(name) && Array.isArray(args)) {
      // Inside Fn::And / Fn::Or / Fn::Not, `{ "Condition": "Name" }` names another condition.
      args.forEach((arg, i) => {
        if (isObject(arg) && Object.keys(arg).length === 1 && typeof arg.Condition === 'string' && !scope.conditions.has(arg.Condition)) {
          findings.push({ path: join(join(at, i), 'Condition'), message: `Condition ${arg.Condition}: no such condition` });
        }
      });
    } else if (name === 'Fn::FindInMap' && Array.isArray(args) && typeof args[0] === 'string') {
      if (!scope.mappings.has(args[0])) findings.push({ path: at, message: `Fn::FindInMap map ${args[0]}: no such mapping` });
    }
  }
  for (const [key, child] of Object.entries(value)) findings.push(...checkReferences(scope, child, join(path, key)));
  return findings;
}

function checkResource(scope: Scope, logicalId: string, resource: Json, path: string): Finding[] {
  if (!isObject(resource)) return [{ path, message: `a resource must be an object, got ${kindOf(resource)}` }];
  const findings: Finding[] = [];
  for (const key of Object.keys(resource)) {
    if (!RESOURCE_KEYS.has(key)) findings.push({ path: join(path, key), message: `unknown resource attribute ${key}${didYouMean(key, [...RESOURCE_KEYS])}` });
  }
  const { Type: type, Properties: properties = {}, DependsOn: dependsOn, Condition: condition } = resource;
  if (resource.DeletionPolicy !== undefined && !isIntrinsic(resource.DeletionPolicy) && !DELETION_POLICIES.includes(resource.DeletionPolicy as string)) {
    findings.push({ path: join(path, 'DeletionPolicy'), message: `DeletionPolicy must be one of ${DELETION_POLICIES.join(', ')}, got ${kindOf(resource.DeletionPolicy)}` });
  }
  if (resource.UpdateReplacePolicy !== undefined && !isIntrinsic(resource.UpdateReplacePolicy) && !UPDATE_REPLACE_POLICIES.includes(resource.UpdateReplacePolicy as string)) {
    findings.push({ path: join(path, 'UpdateReplacePolicy'), message: `UpdateReplacePolicy must be one of ${UPDATE_REPLACE_POLICIES.join(', ')}, got ${kindOf(resource.UpdateReplacePolicy)}` });
  }
  if (dependsOn !== undefined) {
    const targets = Array.isArray(dependsOn) ? dependsOn : [dependsOn];
    targets.forEach((target, i) => {
      const at = Array.isArray(dependsOn) ? join(join(path, 'DependsOn'), i) : join(path, 'DependsOn');
      if (typeof target !== 'string') findings.push({ path: at, message: `DependsOn takes logical ids, got ${kindOf(target)}` });
      else if (!(target in scope.resources)) findings.push({ path: at, message: `DependsOn ${target}: no such resource` });
      else if (target === logicalId) findings.push({ path: at, message: 'a resource cannot depend on itself' });
    });
  }
  if (condition !== undefined && (typeof condition !== 'string' || !scope.conditions.has(condition))) {
    findings.push({ path: join(path, 'Condition'), message: `Condition ${kindOf(condition)}: no such condition` });
  }

  const propertiesPath = join(path, 'Properties');
  if (!isObject(properties)) {
    findings.push({ path: propertiesPath, message: `Properties must be an object, got ${kindOf(properties)}` });
    return findings;
  }
  findings.push(...checkReferences(scope, properties, propertiesPath));

  if (typeof type !== 'string') {
    findings.push({ path: join(path, 'Type'), message: type === undefined ? 'Type is missing' : `Type must be a string, got ${kindOf(type)}` });
    return findings;
  }
  if (type === CDK_METADATA_TYPE) return findings;
  if (isCustomResourceType(type)) {
    // Any properties beyond ServiceToken belong to the provider.
    if (!('ServiceToken' in properties)) findings.push({ path: join(propertiesPath, 'ServiceToken'), message: 'required property ServiceToken is missing' });
    else findings.push(...checkValue(scope.db, properties.ServiceToken, { type: 'string' }, join(propertiesPath, 'ServiceToken')));
    return findings;
  }
  const spec = lookupResource(scope.db, type);
  if (!spec) {
    findings.push({ path: join(path, 'Type'), message: `unknown resource type ${type}` });
    return findings;
  }
  findings.push(...checkObject(scope.db, properties, spec.properties, propertiesPath));
  return findings;
}

function namesOf(section: Json): Set<string> {
  return new Set(isObject(section) ? Object.keys(section) : []);
}

/** Every problem found in one template; an empty list means it passed. Pure: the template is not changed. */
export function validateTemplate(template: object, db: SpecDatabase): TemplateProblem[] {
  const root = template as JsonObject;
  const problems: TemplateProblem[] = [];
  const add = (logicalId: string, findings: Finding[]) => problems.push(...findings.map((f) => ({ logicalId, ...f })));

  for (const section of Object.keys(root)) {
    if (!TEMPLATE_SECTIONS.has(section)) add(section, [{ path: section, message: `unknown template section ${section}` }]);
  }
  const resources = root.Resources;
  if (!isObject(resources) || Object.keys(resources).length === 0) {
    add('Resources', [{ path: 'Resources', message: 'a template needs at least one resource' }]);
  }
  const scope: Scope = {
    resources: isObject(resources) ? resources : {},
    parameters: namesOf(root.Parameters),
    conditions: namesOf(root.Conditions),
    mappings: namesOf(root.Mappings),
    db,
  };

  for (const [logicalId, resource] of Object.entries(scope.resources)) {
    add(logicalId, checkResource(scope, logicalId, resource, join('Resources', logicalId)));
  }
  for (const section of ['Outputs', 'Conditions', 'Rules'] as const) {
    const entries = root[section];
    if (!isObject(entries)) continue;
    for (const [name, entry] of Object.entries(entries)) {
      const path = join(section, name);
      if (section === 'Outputs') {
        if (!isObject(entry) || !('Value' in entry)) add(name, [{ path: join(path, 'Value'), message: 'an output needs a Value' }]);
        else if (entry.Condition !== undefined && (typeof entry.Condition !== 'string' || !scope.conditions.has(entry.Condition))) {
          add(name, [{ path: join(path, 'Condition'), message: `Condition ${kindOf(entry.Condition)}: no such condition` }]);
        }
      }
      add(name, checkReferences(scope, entry, path));
    }
  }
  return problems;
}

/** Counts for a summary line. */
export function resourceCount(template: object): number {
  const resources = (template as JsonObject).Resources;
  return isObject(resources) ? Object.keys(resources).length : 0;
}
