/**
 * The SCIM schemas the inbound endpoint serves, built on scimmy's definitions of the RFC 7643 core
 * User, Group and Enterprise User schemas. The definitions here are this module's own instances:
 * scimmy's `SCIMMY.Schemas` and `SCIMMY.Resources` singletons are never declared into or extended,
 * so an app that also uses scimmy directly is not affected.
 *
 * Differences from the RFC schemas, on purpose:
 * - User `password` is not part of the schema: a password an IdP pushes (Okta can) is dropped and
 *   never stored.
 * - User `groups` stays read-only and is computed from the Groups' members on the way out.
 */
import SCIMMY from 'scimmy';

export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

const { Types, Schemas } = SCIMMY;
export type Attribute = SCIMMY.Types.Attribute;
export type SchemaDefinition = SCIMMY.Types.SchemaDefinition;

/**
 * A string attribute whose canonical values are suggestions (RFC 7643 §2.3.1, §7: "canonicalValues
 * ... MAY be used"), not an enum: scimmy enforces them strictly, and its `roles.type` and
 * `x509Certificates.type` carry an empty list, so every value was refused (Entra's role push:
 * `"type": "WindowsAzureActiveDirectoryRole"`). A value equal to a canonical one apart from case
 * (`"Work"`, `"WORK"`) is stored in the canonical spelling; any other value is kept as sent.
 * /Schemas still advertises a non-empty list.
 */
const SUGGESTED = new WeakMap<object, string[]>(); // scimmy seals its attribute instances
class SuggestedValuesAttribute extends Types.Attribute {
  constructor(a: Attribute) {
    super(a.type as never, a.name, { ...(a.config as Record<string, unknown>), canonicalValues: false } as never);
    SUGGESTED.set(this, Array.isArray(a.config.canonicalValues) ? [...(a.config.canonicalValues as string[])] : []);
  }
  private get suggested(): string[] {
    return SUGGESTED.get(this) ?? [];
  }
  override toJSON(): ReturnType<Attribute['toJSON']> {
    const json = super.toJSON() as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(json)) {
      out[k] = v;
      if (k === 'caseExact' && this.suggested.length) out['canonicalValues'] = this.suggested;
    }
    return out as ReturnType<Attribute['toJSON']>;
  }
  override coerce(source: unknown, direction?: string, isComplexMultiValue?: boolean): never {
    const canon = (v: unknown) =>
      typeof v === 'string' ? (this.suggested.find((c) => c.toLowerCase() === v.toLowerCase()) ?? v) : v;
    const value = Array.isArray(source) ? source.map(canon) : canon(source);
    return super.coerce(value as never, direction as never, isComplexMultiValue as never) as never;
  }
}

/** The attribute with every client-writable canonical-value list turned into suggestions (recursively). */
function relaxCanonical(a: Attribute): Attribute {
  if (a.type === 'complex' && a.subAttributes?.length) {
    const subs = a.subAttributes.map(relaxCanonical);
    if (subs.every((s, i) => s === a.subAttributes![i])) return a;
    return new Types.Attribute('complex', a.name, { ...(a.config as Record<string, unknown>) } as never, subs);
  }
  const readOnly = a.config.direction === 'out' || a.config.mutable === false;
  return Array.isArray(a.config.canonicalValues) && !readOnly ? new SuggestedValuesAttribute(a) : a;
}

/** The resource's own attributes of a scimmy schema (not the common id/externalId/meta/schemas, not extensions). */
function ownAttributes(def: SchemaDefinition, drop: readonly string[] = []): Attribute[] {
  return def.attributes
    .filter((a) => a instanceof Types.Attribute && !a.config.shadow && !drop.includes(a.name))
    .map(relaxCanonical);
}

export const userDefinition: SchemaDefinition = new Types.SchemaDefinition(
  'User',
  CORE_USER,
  'User Account',
  ownAttributes(Schemas.User.definition, ['password']),
).extend(Schemas.EnterpriseUser.definition, false);
export const groupDefinition: SchemaDefinition = new Types.SchemaDefinition(
  'Group',
  CORE_GROUP,
  'Group',
  ownAttributes(Schemas.Group.definition),
);

/** scimmy Schema classes over the definitions above (PatchOp needs a Schema instance to patch). */
export class InboundUser extends Types.Schema {
  static override get id(): string {
    return CORE_USER;
  }
  static override get definition(): SchemaDefinition {
    return userDefinition;
  }
  constructor(resource: Record<string, unknown>, direction = 'both') {
    super(resource as never, direction);
    Object.assign(this, userDefinition.coerce(resource, direction));
  }
}

export class InboundGroup extends Types.Schema {
  static override get id(): string {
    return CORE_GROUP;
  }
  static override get definition(): SchemaDefinition {
    return groupDefinition;
  }
  constructor(resource: Record<string, unknown>, direction = 'both') {
    super(resource as never, direction);
    Object.assign(this, groupDefinition.coerce(resource, direction));
  }
}

export type ResourceKind = 'User' | 'Group';

export interface ResourceSpec {
  kind: ResourceKind;
  endpoint: '/Users' | '/Groups';
  definition: SchemaDefinition;
  schemaClass: typeof InboundUser | typeof InboundGroup;
  extensions: string[];
}

export const RESOURCES: Record<ResourceKind, ResourceSpec> = {
  User: {
    kind: 'User',
    endpoint: '/Users',
    definition: userDefinition,
    schemaClass: InboundUser,
    extensions: [ENTERPRISE_USER],
  },
  Group: { kind: 'Group', endpoint: '/Groups', definition: groupDefinition, schemaClass: InboundGroup, extensions: [] },
};

/** Every schema served by /Schemas. */
export function schemaDefinitions(): SchemaDefinition[] {
  return [userDefinition, groupDefinition, Schemas.EnterpriseUser.definition];
}

/** One schema as /Schemas returns it (RFC 7643 §7), plain JSON. */
export function describeSchema(def: SchemaDefinition, base: string): Record<string, unknown> {
  return JSON.parse(JSON.stringify(def.describe(`${base}/Schemas`))) as Record<string, unknown>;
}

export function describeResourceType(spec: ResourceSpec, base: string): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(
      new Schemas.ResourceType(
        {
          id: spec.kind,
          name: spec.kind,
          endpoint: spec.endpoint,
          description: spec.kind === 'User' ? 'User Account' : 'Group',
          schema: spec.definition.id,
          schemaExtensions: spec.extensions.map((schema) => ({ schema, required: false })),
        },
        `${base}/ResourceTypes/${spec.kind}`,
      ),
    ),
  ) as Record<string, unknown>;
}

export function describeServiceProviderConfig(
  base: string,
  opts: { maxResults: number; maxPayloadSize: number; documentationUri?: string | undefined },
): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(
      new Schemas.ServiceProviderConfig(
        {
          ...(opts.documentationUri ? { documentationUri: opts.documentationUri } : {}),
          patch: { supported: true },
          bulk: { supported: false, maxOperations: 0, maxPayloadSize: opts.maxPayloadSize },
          filter: { supported: true, maxResults: opts.maxResults },
          changePassword: { supported: false },
          sort: { supported: false },
          etag: { supported: false },
          authenticationSchemes: [
            {
              type: 'oauthbearertoken',
              name: 'OAuth Bearer Token',
              description:
                'Authentication with a bearer token (Authorization: Bearer <token>) issued per tenant by the application.',
              specUri: 'https://www.rfc-editor.org/rfc/rfc6750',
              primary: true,
            },
          ],
        },
        `${base}/ServiceProviderConfig`,
      ),
    ),
  ) as Record<string, unknown>;
}

/** The attribute definition for a path (`name.givenName`, `urn:…:User:manager.value`), or null. */
export function attributeAt(def: SchemaDefinition, path: string): Attribute | SchemaDefinition | null {
  try {
    return def.attribute<Attribute | SchemaDefinition>(path);
  } catch {
    return null;
  }
}

export function isAttribute(a: unknown): a is Attribute {
  return a instanceof Types.Attribute;
}

export function isSchemaDefinition(a: unknown): a is SchemaDefinition {
  return a instanceof Types.SchemaDefinition;
}
