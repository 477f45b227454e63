#!/usr/bin/env node
// A partner app's client of odr: what a mobile app acting for a citizen builds on
// (docs/integrations.md). It files a mediation case for the citizen, uploads evidence with the
// resumable upload protocol, and finds a slot and books an appointment, printing one JSON object
// on stdout per command.
//
// The partner app authenticates as itself (its principal and API key, exchanged for a bearer
// token with AuthService.CreateToken) and names the citizen it acts for in every call with
// `x-odr-on-behalf-of` (docs/security.md); odrd then allows exactly what that citizen may do.
//
// It uses @grpc/grpc-js and @grpc/proto-loader (found next to this file, else in the repository's
// tools/node, where tools/install-deps puts them) and loads the .proto files of the repository's
// proto/ at runtime. It never prints or logs personal data, API keys or tokens: outputs are
// resource names, states, hashes and times. Run with --help for the commands.
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { once } = require('node:events');
const { parseArgs } = require('node:util');

const REPO = path.resolve(__dirname, '..', '..', '..');

// Where packages are looked up: this directory's node_modules (and NODE_PATH) first, else the
// repository's tools/node/node_modules.
const PACKAGE_PATHS = [__dirname, path.join(REPO, 'tools', 'node')];

// The package `name`; exits saying how to install it if it is missing.
function requirePackage(name, paths = PACKAGE_PATHS) {
  try {
    return require(require.resolve(name, { paths }));
  } catch (e) {
    if (e.code !== 'MODULE_NOT_FOUND') throw e;
    process.stderr.write(`partner_app: ${name} not found: run tools/install-deps, or npm ` +
      `install @grpc/grpc-js @grpc/proto-loader next to this file\n`);
    process.exit(1);
  }
}

const grpc = requirePackage('@grpc/grpc-js');
const protoLoader = requirePackage('@grpc/proto-loader');
// protobufjs, the library proto-loader is built on (its own copy): it decodes the error details
// of a failed call.
const protobuf = requirePackage('protobufjs',
  [path.dirname(require.resolve('@grpc/proto-loader', { paths: PACKAGE_PATHS }))]);

// The options the TypeScript types of the odr_bindings target describe (proto/bindings.cmake):
// lowerCamelCase fields, 64-bit integers and enums as strings, defaults filled in, and oneofs
// named by a virtual field.
const LOADER_OPTIONS = { longs: String, enums: String, defaults: true, oneofs: true };

// Exit codes, as the odr CLI's.
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
const EXIT_NOT_FOUND = 3;
const EXIT_UNAUTHENTICATED = 4;

// Uploads send chunks of 64 KiB, the most a message may carry (evidence.proto).
const UPLOAD_CHUNK = 64 * 1024;
// Transient failures of a call are retried this many times in all, with the same request id.
const ATTEMPTS = 3;

const USAGE = `Usage: partner_app.js COMMAND [FLAGS]

Commands:
  file      files a mediation case for the citizen (CreateCase, then SubmitCase); prints the case
              --organization ORG --type TYPE --region CODE --summary TEXT --claims TEXT
              [--amount YUAN] [--request-id ID] [--no-submit]
              parties: --parties FILE (JSON: {"applicants": [Party...], "respondents": [...]},
              protobuf JSON; kind and id type default to a natural person with a resident ID
              card) or --applicant SPEC, --respondent SPEC, --agent SPEC
              (repeatable; SPEC as odr case create: 'name=..;id=..;phone=..;address=..',
              also kind=person|legal|org, id-type=resident-id|passport|permit|
              foreign-resident|uscc; agents of=applicant:N|respondent:N, N from 1)
  upload    uploads an evidence file to a case, resuming an unfinished upload; prints the
            evidence name and SHA-256. --max-chunks N sends at most N chunks of 64 KiB and
            leaves the rest for a later run.
              CASE FILE [--media-type TYPE] [--description TEXT] [--mediator-only]
              [--upload-id ID] [--max-chunks N]
  slots     free slots of the case's mediator and the participants (FindSlots)
              CASE --duration D [--from T] [--to T] [--participant P ...] [--max N]
  book      books an appointment (BookAppointment); prints it with the caller's own join link.
            Without --start, books the earliest free slot (FindSlots first).
              CASE --kind joint-video|separate|on-site|phone --participant P ...
              (--start T --end T | --duration D [--from T] [--to T])
              [--location TEXT] [--appointment-id ID]
  whoami    the citizen the app acts for (GetCaller)

Flags of every command (environment variable in brackets):
  --server HOST:PORT     odrd's address [ODR_SERVER], default 127.0.0.1:50051
  --principal NAME       the partner app's account, principals/ID [ODR_PRINCIPAL]
  --api-key-file FILE    its API key, from odrd admin [ODR_API_KEY_FILE]; or the key itself in
                         [ODR_API_KEY] (never on the command line)
  --on-behalf-of NAME    the citizen acted for, principals/ID [ODR_ON_BEHALF_OF]
  --tls-ca FILE          trust this CA for TLS [ODR_TLS_CA]; --tls: TLS with the system's roots.
                         Plaintext to a loopback address otherwise, TLS elsewhere.
  --timeout SECONDS      per call [ODR_TIMEOUT], default 30
  --proto-dir DIR        the .proto files [ODR_PROTO_DIR], default the repository's proto/

T: RFC 3339 (2031-03-04T09:00:00+08:00), or China time without an offset (2031-03-04T09:00).
D: 90m, 1h, 1h30m. P: applicants/0, respondents/1/agents/0 ... (counting from 0).
Exit codes: 0 ok, 1 failure, 2 usage, 3 not found, 4 not authenticated.`;

const GLOBAL_OPTIONS = {
  server: { type: 'string' },
  principal: { type: 'string' },
  'api-key-file': { type: 'string' },
  'on-behalf-of': { type: 'string' },
  'tls-ca': { type: 'string' },
  tls: { type: 'boolean' },
  timeout: { type: 'string' },
  'proto-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

// A mistake in the command line: printed with a hint, exit status 2.
class UsageError extends Error {}

// ---------------------------------------------------------------------------------------------
// Input

const DISPUTE_TYPES = {
  medical: 'DISPUTE_TYPE_MEDICAL',
  neighbour: 'DISPUTE_TYPE_NEIGHBOUR',
  labour: 'DISPUTE_TYPE_LABOUR',
  'debt-contract': 'DISPUTE_TYPE_DEBT_CONTRACT',
  'family-inheritance': 'DISPUTE_TYPE_FAMILY_INHERITANCE',
  'traffic-accident': 'DISPUTE_TYPE_TRAFFIC_ACCIDENT',
  'property-land': 'DISPUTE_TYPE_PROPERTY_LAND',
  'consumer-ecommerce': 'DISPUTE_TYPE_CONSUMER_ECOMMERCE',
  other: 'DISPUTE_TYPE_OTHER',
};
const PARTY_KINDS = {
  person: 'PARTY_KIND_NATURAL_PERSON',
  legal: 'PARTY_KIND_LEGAL_PERSON',
  org: 'PARTY_KIND_UNINCORPORATED_ORGANIZATION',
};
const ID_TYPES = {
  'resident-id': 'ID_DOCUMENT_TYPE_RESIDENT_ID_CARD',
  passport: 'ID_DOCUMENT_TYPE_PASSPORT',
  permit: 'ID_DOCUMENT_TYPE_HK_MACAO_TAIWAN_PERMIT',
  'foreign-resident': 'ID_DOCUMENT_TYPE_FOREIGN_PERMANENT_RESIDENT_ID',
  uscc: 'ID_DOCUMENT_TYPE_UNIFIED_SOCIAL_CREDIT_CODE',
};
const APPOINTMENT_KINDS = {
  'joint-video': 'KIND_JOINT_VIDEO',
  separate: 'KIND_SEPARATE_SESSION',
  'on-site': 'KIND_ON_SITE',
  phone: 'KIND_PHONE',
};
// Media types by file extension (the allowed ones, docs/evidence.md).
const MEDIA_TYPES = {
  '.pdf': 'application/pdf',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xls': 'application/vnd.ms-excel',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.ofd': 'application/ofd',
  '.txt': 'text/plain',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.heic': 'image/heic',
  '.webp': 'image/webp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.mp3': 'audio/mpeg',
  '.m4a': 'audio/mp4',
  '.aac': 'audio/aac',
  '.amr': 'audio/amr',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
  '.mp4': 'video/mp4',
  '.mov': 'video/quicktime',
  '.webm': 'video/webm',
  '.3gp': 'video/3gpp',
};

// `table[word]`, or a UsageError naming `flag` and the choices.
function lookup(table, word, flag) {
  if (Object.hasOwn(table, word)) return table[word];
  throw new UsageError(`${flag}: unknown value '${word}'; one of ${Object.keys(table).join(', ')}`);
}

// `value`, or a UsageError saying that `flag` is required.
function required(value, flag) {
  if (value === undefined || value === '') throw new UsageError(`${flag} is required`);
  return value;
}

// 'key=value;key=value' (a backslash escapes the next character) as [[key, value] ...].
function splitSpec(spec, flag) {
  const raw = [''];
  for (let i = 0; i < spec.length; i++) {
    if (spec[i] === '\\' && i + 1 < spec.length) {
      raw[raw.length - 1] += spec[++i];
    } else if (spec[i] === ';') {
      raw.push('');
    } else {
      raw[raw.length - 1] += spec[i];
    }
  }
  const items = [];
  for (const r of raw) {
    if (r.trim() === '') continue;
    const eq = r.indexOf('=');
    if (eq < 0) throw new UsageError(`${flag}: '${r.trim()}' is not key=value`);
    items.push([r.slice(0, eq).trim().toLowerCase(), r.slice(eq + 1).trim()]);
  }
  if (items.length === 0) throw new UsageError(`${flag}: empty; expected key=value;key=value...`);
  return items;
}

// Applies a key that parties and agents share to `person`; false if `key` is not one of them.
function applyPersonKey(person, key, value, flag) {
  switch (key) {
    case 'name': person.name = value; return true;
    case 'id-type': person.idDocumentType = lookup(ID_TYPES, value, `${flag} id-type`); return true;
    case 'id': person.idNumber = value; return true;
    case 'phone': person.phone = value; return true;
    case 'address': person.serviceAddress = value; return true;
    default: return false;
  }
}

// A Party from an --applicant or --respondent SPEC.
function parseParty(spec, flag) {
  const party = {
    kind: 'PARTY_KIND_NATURAL_PERSON',
    idDocumentType: 'ID_DOCUMENT_TYPE_RESIDENT_ID_CARD',
    agents: [],
  };
  for (const [key, value] of splitSpec(spec, flag)) {
    if (key === 'kind') {
      party.kind = lookup(PARTY_KINDS, value, `${flag} kind`);
    } else if (!applyPersonKey(party, key, value, flag)) {
      throw new UsageError(`${flag}: unknown key '${key}'; keys are kind, name, id-type, id, ` +
        'phone, address');
    }
  }
  return party;
}

// An --agent SPEC as {side: 'applicants'|'respondents', index, agent}.
function parseAgent(spec) {
  const agent = { idDocumentType: 'ID_DOCUMENT_TYPE_RESIDENT_ID_CARD' };
  let side;
  let index;
  for (const [key, value] of splitSpec(spec, '--agent')) {
    if (key === 'of') {
      const m = /^(applicant|respondent):([1-9][0-9]*)$/.exec(value);
      if (!m) throw new UsageError('--agent: of must be applicant:N or respondent:N, N from 1');
      side = `${m[1]}s`;
      index = Number(m[2]) - 1;
    } else if (!applyPersonKey(agent, key, value, '--agent')) {
      throw new UsageError(`--agent: unknown key '${key}'; keys are of, name, id-type, id, ` +
        'phone, address');
    }
  }
  if (side === undefined) {
    throw new UsageError('--agent: of=applicant:N or of=respondent:N is required');
  }
  return { side, index, agent };
}

// `value` with every object key in lowerCamelCase, so that a parties file may use the proto
// field names (id_number) as well as their JSON names (idNumber).
function camelKeys(value) {
  if (Array.isArray(value)) return value.map(camelKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(
    ([k, v]) => [k.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase()), camelKeys(v)]));
}

// The applicants and respondents of `file`, from --parties or from the party flags.
function partiesFrom(opts) {
  if (opts.parties !== undefined) {
    if (opts.applicant || opts.respondent || opts.agent) {
      throw new UsageError('give the parties either in --parties or as flags, not both');
    }
    let parsed;
    try {
      parsed = camelKeys(JSON.parse(fs.readFileSync(opts.parties, 'utf8')));
    } catch (e) {
      // Only the reason: the file holds personal data, which must not reach the logs.
      throw new UsageError(`--parties: cannot read a JSON object from ${opts.parties} ` +
        `(${e.code || e.name})`);
    }
    // The same defaults as the flags: a natural person, with a resident ID card.
    const withDefaults = (party) => ({
      kind: 'PARTY_KIND_NATURAL_PERSON',
      idDocumentType: 'ID_DOCUMENT_TYPE_RESIDENT_ID_CARD',
      ...party,
      agents: (party.agents || []).map(
        (agent) => ({ idDocumentType: 'ID_DOCUMENT_TYPE_RESIDENT_ID_CARD', ...agent })),
    });
    return {
      applicants: (parsed.applicants || []).map(withDefaults),
      respondents: (parsed.respondents || []).map(withDefaults),
    };
  }
  const applicants = (opts.applicant || []).map((s) => parseParty(s, '--applicant'));
  const respondents = (opts.respondent || []).map((s) => parseParty(s, '--respondent'));
  for (const spec of opts.agent || []) {
    const { side, index, agent } = parseAgent(spec);
    const parties = side === 'applicants' ? applicants : respondents;
    if (index >= parties.length) {
      throw new UsageError(`--agent: there is no ${side.slice(0, -1)} ${index + 1}`);
    }
    parties[index].agents.push(agent);
  }
  return { applicants, respondents };
}

// Yuan with at most two decimals ("20000", "199.5") as a string of fen.
function yuanToFen(yuan) {
  const m = /^([0-9]+)(?:\.([0-9]{1,2}))?$/.exec(yuan);
  if (!m) {
    throw new UsageError(`--amount: '${yuan}' is not an amount in yuan, e.g. 20000 or 199.50`);
  }
  return (BigInt(m[1]) * 100n + BigInt((m[2] || '').padEnd(2, '0'))).toString();
}

// 'cases/ID' from 'cases/ID' or 'ID'.
function caseName(nameOrId) {
  const name = nameOrId.startsWith('cases/') ? nameOrId : `cases/${nameOrId}`;
  if (!/^cases\/[^/]+$/.test(name)) throw new UsageError(`'${nameOrId}' is not a case name`);
  return name;
}

// A time flag as milliseconds since the epoch: RFC 3339, or China time (UTC+8) without an offset.
function parseTime(text, flag) {
  const withOffset = /(Z|[+-][0-9]{2}:[0-9]{2})$/i.test(text) ? text : `${text}+08:00`;
  const ms = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T/.test(text) ? Date.parse(withOffset) : NaN;
  if (Number.isNaN(ms)) {
    throw new UsageError(`${flag}: '${text}' is not a time like 2031-03-04T09:00:00+08:00`);
  }
  return ms;
}

// A length flag (90m, 1h, 1h30m) in minutes.
function parseMinutes(text, flag) {
  const m = /^(?:([0-9]+)h)?(?:([0-9]+)m)?$/.exec(text);
  if (!m || (m[1] === undefined && m[2] === undefined)) {
    throw new UsageError(`${flag}: '${text}' is not a length like 90m, 1h or 1h30m`);
  }
  return Number(m[1] || 0) * 60 + Number(m[2] || 0);
}

// A whole number flag (0 or more).
function parseCount(text, flag) {
  if (!/^[0-9]+$/.test(text)) throw new UsageError(`${flag}: '${text}' is not a whole number`);
  return Number(text);
}

// A google.protobuf.Timestamp of `ms`.
function timestamp(ms) {
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 };
}

// A google.protobuf.Timestamp in RFC 3339 China time, as the odr CLI prints times.
function chinaTime(ts) {
  if (!ts) return null;
  const ms = Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1e6);
  return new Date(ms + 8 * 3600 * 1000).toISOString().replace(/(\.000)?Z$/, '+08:00');
}

function sha256Hex(text) {
  return crypto.createHash('sha256').update(text).digest('hex');
}

// An idempotency key for step `step` of a command whose request id is `requestId`: the same
// retry of the command sends the same keys, within the 64 characters request_id allows.
function stepRequestId(requestId, step) {
  return sha256Hex(`${requestId}/${step}`).slice(0, 32);
}

// ---------------------------------------------------------------------------------------------
// Connection and calls

// Where and as whom to call, from the flags and the environment (an empty variable counts as
// unset).
function connectionSettings(opts) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== ''));
  const apiKeyFile = opts['api-key-file'] ?? env.ODR_API_KEY_FILE;
  let apiKey = env.ODR_API_KEY;
  if (apiKeyFile !== undefined) {
    apiKey = readFlagFile(apiKeyFile, '--api-key-file').toString().trim();
  }
  const timeout = Number(opts.timeout ?? env.ODR_TIMEOUT ?? 30);
  if (!(timeout > 0)) throw new UsageError('--timeout must be a positive number of seconds');
  const onBehalfOf = opts['on-behalf-of'] ?? env.ODR_ON_BEHALF_OF;
  return {
    server: opts.server ?? env.ODR_SERVER ?? '127.0.0.1:50051',
    principal: required(opts.principal ?? env.ODR_PRINCIPAL, '--principal (or ODR_PRINCIPAL)'),
    apiKey: required(apiKey, '--api-key-file (or ODR_API_KEY_FILE, or ODR_API_KEY)'),
    onBehalfOf: required(onBehalfOf, '--on-behalf-of (or ODR_ON_BEHALF_OF)'),
    tlsCa: opts['tls-ca'] ?? env.ODR_TLS_CA,
    tls: Boolean(opts.tls),
    timeoutMs: timeout * 1000,
    protoDir: opts['proto-dir'] ?? env.ODR_PROTO_DIR ?? path.join(REPO, 'proto'),
  };
}

// The contents of the file a flag names, or a UsageError.
function readFlagFile(file, flag) {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new UsageError(`${flag}: cannot read ${file} (${e.code || e.name})`);
  }
}

// True for 127.x.x.x, ::1 and localhost: odrd serves plaintext there in development mode.
function isLoopback(server) {
  const host = server.startsWith('[') ? server.slice(1, server.indexOf(']'))
    : server.slice(0, server.lastIndexOf(':') < 0 ? server.length : server.lastIndexOf(':'));
  return host === 'localhost' || host === '::1' || /^127\.[0-9.]+$/.test(host);
}

// The odr.v1 services, and a decoder of the error details odrd sends with a failed call.
class Odr {
  constructor(settings) {
    this.settings = settings;
    const files = ['auth', 'case_service', 'evidence', 'appointment']
      .map((f) => `odr/v1/${f}.proto`);
    if (!fs.existsSync(path.join(settings.protoDir, 'odr', 'v1'))) {
      throw new UsageError(`--proto-dir: no odr/v1 in ${settings.protoDir}`);
    }
    const definition = protoLoader.loadSync(files, {
      ...LOADER_OPTIONS,
      includeDirs: [settings.protoDir],
    });
    const v1 = grpc.loadPackageDefinition(definition).odr.v1;
    let credentials;
    if (settings.tlsCa !== undefined) {
      credentials = grpc.credentials.createSsl(readFlagFile(settings.tlsCa, '--tls-ca'));
    } else if (settings.tls || !isLoopback(settings.server)) {
      credentials = grpc.credentials.createSsl();
    } else {
      credentials = grpc.credentials.createInsecure();
    }
    // One channel for all the services.
    const auth = new v1.AuthService(settings.server, credentials);
    const channelOverride = auth.getChannel();
    const client = (Service) => new Service(settings.server, credentials, { channelOverride });
    this.auth = auth;
    this.cases = client(v1.CaseService);
    this.evidence = client(v1.EvidenceService);
    this.appointments = client(v1.AppointmentService);
    this.errorTypes = protobuf.loadSync(path.join(settings.protoDir, 'odr/v1/error.proto'));
    this.token = null;
  }

  close() {
    this.auth.close();
  }

  // Exchanges the partner app's API key for a bearer token, once per run. (A real app keeps the
  // token until shortly before its expire_time.)
  async login() {
    if (this.token !== null) return;
    const response = await this.unary(this.auth, 'CreateToken', {
      principal: this.settings.principal.startsWith('principals/') ? this.settings.principal
        : `principals/${this.settings.principal}`,
      apiKey: this.settings.apiKey,
    }, { authenticated: false });
    this.token = response.accessToken;
  }

  // The metadata of an authenticated call: the partner app's token, and the citizen it acts for.
  metadata() {
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${this.token}`);
    md.set('x-odr-on-behalf-of', this.settings.onBehalfOf);
    return md;
  }

  // `client.method(request)`, retried on UNAVAILABLE (odrd unreachable or its database busy) when
  // `retry` says the request is safe to repeat: it carries a request id, or only reads.
  async unary(client, method, request, { authenticated = true, retry = false } = {}) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await new Promise((resolve, reject) => {
          const md = authenticated ? this.metadata() : new grpc.Metadata();
          const deadline = Date.now() + this.settings.timeoutMs;
          client[method](request, md, { deadline }, (err, response) => {
            if (err) reject(Object.assign(err, { method }));
            else resolve(response);
          });
        });
      } catch (err) {
        if (!retry || attempt >= ATTEMPTS || err.code !== grpc.status.UNAVAILABLE) throw err;
        await sleep(200 * attempt);
      }
    }
  }

  // The odr.v1.ErrorDetails of a failed call (reason, field violations, current state,
  // metadata), decoded from its grpc-status-details-bin trailer; null if there are none.
  errorDetails(err) {
    const raw = err.metadata && err.metadata.get('grpc-status-details-bin');
    if (!raw || raw.length === 0) return null;
    try {
      const status = this.errorTypes.lookupType('odr.v1.ErrorStatus').decode(raw[0]);
      const any = status.details.find(
        (d) => d.typeUrl === 'type.googleapis.com/odr.v1.ErrorDetails');
      if (!any) return null;
      const details = this.errorTypes.lookupType('odr.v1.ErrorDetails');
      return details.toObject(details.decode(any.value), { enums: String, arrays: true });
    } catch {
      return null;
    }
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------
// Commands. Each returns the object to print.

const COMMANDS = {
  file: {
    options: {
      organization: { type: 'string' },
      type: { type: 'string' },
      region: { type: 'string' },
      summary: { type: 'string' },
      claims: { type: 'string' },
      amount: { type: 'string' },
      parties: { type: 'string' },
      applicant: { type: 'string', multiple: true },
      respondent: { type: 'string', multiple: true },
      agent: { type: 'string', multiple: true },
      'request-id': { type: 'string' },
      'no-submit': { type: 'boolean' },
    },
    positionals: 0,
    run: fileCase,
  },
  upload: {
    options: {
      'media-type': { type: 'string' },
      description: { type: 'string' },
      'mediator-only': { type: 'boolean' },
      'upload-id': { type: 'string' },
      'max-chunks': { type: 'string' },
    },
    positionals: 2,
    run: uploadEvidence,
  },
  slots: {
    options: {
      duration: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      participant: { type: 'string', multiple: true },
      max: { type: 'string' },
    },
    positionals: 1,
    run: findSlots,
  },
  book: {
    options: {
      kind: { type: 'string' },
      participant: { type: 'string', multiple: true },
      start: { type: 'string' },
      end: { type: 'string' },
      duration: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      location: { type: 'string' },
      'appointment-id': { type: 'string' },
    },
    positionals: 1,
    run: bookAppointment,
  },
  whoami: { options: {}, positionals: 0, run: whoami },
};

// file: CreateCase (the citizen's application), then SubmitCase. Both carry request ids derived
// from --request-id (a new UUID by default, printed), so that running the command again with
// the same --request-id after a failure neither files twice nor submits twice.
async function fileCase(odr, opts) {
  const requestId = opts['request-id'] ?? crypto.randomUUID();
  const { applicants, respondents } = partiesFrom(opts);
  const organization = required(opts.organization, '--organization');
  const kase = {
    organization: organization.startsWith('organizations/') ? organization
      : `organizations/${organization}`,
    disputeType: lookup(DISPUTE_TYPES, required(opts.type, '--type'), '--type'),
    regionCode: required(opts.region, '--region'),
    summary: required(opts.summary, '--summary'),
    claims: required(opts.claims, '--claims'),
    amountFen: opts.amount === undefined ? '0' : yuanToFen(opts.amount),
    applicants,
    respondents,
    source: { citizenApplication: {} },
  };
  await odr.login();
  let created = await odr.unary(odr.cases, 'CreateCase', {
    case: kase,
    requestId: stepRequestId(requestId, 'create'),
  }, { retry: true });
  if (!opts['no-submit'] && created.state === 'STATE_DRAFT') {
    created = await odr.unary(odr.cases, 'SubmitCase', {
      name: created.name,
      requestId: stepRequestId(requestId, 'submit'),
    }, { retry: true });
  }
  return {
    name: created.name,
    caseNumber: created.caseNumber,
    state: created.state,
    requestId,
  };
}

// The SHA-256 (hex) and size of the file at `file`, read in 1 MiB pieces.
function hashFile(file) {
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buffer = Buffer.alloc(1 << 20);
  let size = 0;
  try {
    for (let n; (n = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0;) {
      hash.update(buffer.subarray(0, n));
      size += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { sha256: hash.digest('hex'), size };
}

// Failures after which an upload resumes from the committed size (evidence.proto): odrd was
// unreachable, another stream held the upload, or the stream broke off.
const RESUMABLE = new Set([grpc.status.UNAVAILABLE, grpc.status.ABORTED, grpc.status.CANCELLED,
  grpc.status.DEADLINE_EXCEEDED]);

// upload: the resumable upload of evidence.proto. The upload id is derived from the case, the
// file's hash, its name and visibility (as `odr evidence upload` does), so running the command
// again continues where the last run stopped, or returns the evidence it already made. With
// --max-chunks N it sends at most N chunks in this run and leaves the upload unfinished (say, on
// a metered connection); a later run resumes it.
async function uploadEvidence(odr, opts, [caseArg, file]) {
  const parent = caseName(caseArg);
  const fileName = path.basename(file);
  const mediaType = opts['media-type'] ?? MEDIA_TYPES[path.extname(file).toLowerCase()];
  if (mediaType === undefined) {
    throw new UsageError('cannot tell the media type from the file name; give --media-type');
  }
  const maxChunks = opts['max-chunks'] === undefined ? Infinity
    : parseCount(opts['max-chunks'], '--max-chunks');
  if (maxChunks === 0) throw new UsageError('--max-chunks must be at least 1');
  let digest;
  try {
    digest = hashFile(file);
  } catch (e) {
    throw new UsageError(`cannot read ${file} (${e.code || e.name})`);
  }
  const visibility = opts['mediator-only'] ? 'VISIBILITY_MEDIATOR_ONLY' : 'VISIBILITY_ALL_PARTIES';
  const uploadId = opts['upload-id'] ?? sha256Hex(['odr-upload/v1', parent, digest.sha256, fileName,
    visibility === 'VISIBILITY_MEDIATOR_ONLY' ? 2 : 1].join('\n')).slice(0, 32);
  const start = {
    parent,
    uploadId,
    evidence: { fileName, mediaType, description: opts.description ?? '', visibility },
    sizeBytes: String(digest.size),
    sha256: digest.sha256,
  };
  await odr.login();
  let resumedFrom;
  for (let attempt = 1; ; attempt++) {
    try {
      // Where to start: the committed size of an earlier attempt or run (NOT_FOUND: none).
      let offset = 0;
      try {
        const status = await odr.unary(odr.evidence, 'QueryUploadStatus', { uploadId },
          { retry: true });
        if (status.complete) return uploaded(status.evidence, uploadId, resumedFrom ?? 0);
        offset = Number(status.committedSize);
      } catch (err) {
        if (err.code !== grpc.status.NOT_FOUND) throw err;
      }
      resumedFrom ??= offset;
      const stop = Math.min(digest.size, offset + maxChunks * UPLOAD_CHUNK);
      const response = await uploadFrom(odr, start, file, digest.size, offset, stop);
      if (response.evidence) return uploaded(response.evidence, uploadId, resumedFrom);
      if (stop < digest.size) {
        return {
          uploadId,
          complete: false,
          committedSize: response.committedSize,
          sizeBytes: start.sizeBytes,
          resumedFrom,
        };
      }
      throw Object.assign(new Error('the upload stream ended before the file was finished'),
        { code: grpc.status.UNAVAILABLE, method: 'UploadEvidence' });
    } catch (err) {
      if (attempt >= ATTEMPTS || !RESUMABLE.has(err.code)) throw err;
      await sleep(200 * attempt);
    }
  }
}

// The output of a finished upload.
function uploaded(evidence, uploadId, resumedFrom) {
  return {
    name: evidence.name,
    uploadId,
    complete: true,
    sha256: evidence.sha256,
    sizeBytes: evidence.sizeBytes,
    logIndex: evidence.logIndex,
    resumedFrom,
  };
}

// One UploadEvidence stream: `start`, then the bytes of `file` from `offset` to `stop` in 64 KiB
// chunks; when `stop` is the file's `size`, the last chunk sets finish_write. Resolves to the
// UploadEvidenceResponse (with the evidence once finished), or rejects with the call's error.
async function uploadFrom(odr, start, file, size, offset, stop) {
  let settled = false;
  let call;
  const done = new Promise((resolve, reject) => {
    // The stream may take the call timeout plus 10 ms per KiB (100 KiB/s), as the odr CLI's.
    const deadline = Date.now() + odr.settings.timeoutMs + Math.ceil((stop - offset) / 100);
    call = odr.evidence.UploadEvidence(odr.metadata(), { deadline }, (err, response) => {
      settled = true;
      if (err) reject(Object.assign(err, { method: 'UploadEvidence' }));
      else resolve(response);
    });
  });
  // Until the caller awaits it, a failed stream must not count as an unhandled rejection.
  done.catch(() => {});
  const fd = fs.openSync(file, 'r');
  try {
    let first = true;
    do {
      const n = Math.min(UPLOAD_CHUNK, stop - offset);
      const data = Buffer.alloc(n);
      if (n > 0 && fs.readSync(fd, data, 0, n, offset) !== n) {
        call.cancel();
        throw new UsageError(`${file} changed while it was uploaded`);
      }
      const message = { writeOffset: String(offset), data, finishWrite: offset + n === size };
      if (first) message.start = start;
      first = false;
      offset += n;
      if (settled) break; // odrd ended the stream early: `done` says why
      if (!call.write(message)) {
        await Promise.race([once(call, 'drain'), done.catch(() => {})]);
      }
    } while (offset < stop);
    if (!settled) call.end();
  } finally {
    fs.closeSync(fd);
  }
  return done;
}

// The window of slots and bookings: --from (default: in 5 minutes) to --to (default: 14 days
// later).
function searchWindow(opts) {
  const from = opts.from === undefined ? Date.now() + 5 * 60 * 1000
    : parseTime(opts.from, '--from');
  const to = opts.to === undefined ? from + 14 * 24 * 3600 * 1000 : parseTime(opts.to, '--to');
  return { from, to };
}

// FindSlots for the case: `duration` minutes in the window, avoiding the participants' other
// appointments.
async function requestSlots(odr, parent, minutes, opts, participants) {
  const { from, to } = searchWindow(opts);
  const response = await odr.unary(odr.appointments, 'FindSlots', {
    parent,
    duration: { seconds: String(minutes * 60), nanos: 0 },
    startTime: timestamp(from),
    endTime: timestamp(to),
    participants,
    maxResults: opts.max === undefined ? 0 : parseCount(opts.max, '--max'),
  }, { retry: true });
  return response.slots;
}

// slots: free slots of the case's mediator and the participants.
async function findSlots(odr, opts, [caseArg]) {
  const parent = caseName(caseArg);
  const minutes = parseMinutes(required(opts.duration, '--duration'), '--duration');
  await odr.login();
  const slots = await requestSlots(odr, parent, minutes, opts, opts.participant || []);
  return {
    slots: slots.map((s) => ({ startTime: chinaTime(s.startTime), endTime: chinaTime(s.endTime) })),
  };
}

// book: BookAppointment at --start/--end, or in the earliest free slot of --duration. The
// appointment id (--appointment-id, else a random one) makes a retried booking safe.
async function bookAppointment(odr, opts, [caseArg]) {
  const parent = caseName(caseArg);
  const kind = lookup(APPOINTMENT_KINDS, required(opts.kind, '--kind'), '--kind');
  const participants = opts.participant || [];
  if (participants.length === 0) throw new UsageError('--participant is required (repeatable)');
  await odr.login();
  let start;
  let end;
  if (opts.start !== undefined) {
    start = parseTime(opts.start, '--start');
    end = opts.end !== undefined ? parseTime(opts.end, '--end')
      : start + 60 * 1000 * parseMinutes(required(opts.duration, '--end or --duration'),
        '--duration');
  } else {
    const minutes = parseMinutes(required(opts.duration, '--start or --duration'), '--duration');
    const [slot] = await requestSlots(odr, parent, minutes, { ...opts, max: '1' }, participants);
    if (slot === undefined) {
      const err = new Error('no free slot in the window; widen it with --from and --to');
      throw Object.assign(err, { code: grpc.status.FAILED_PRECONDITION, method: 'FindSlots' });
    }
    start = Number(slot.startTime.seconds) * 1000;
    end = Number(slot.endTime.seconds) * 1000;
  }
  const appointment = await odr.unary(odr.appointments, 'BookAppointment', {
    parent,
    appointment: {
      kind,
      startTime: timestamp(start),
      endTime: timestamp(end),
      participants: participants.map((p) => ({ participant: p })),
      location: opts.location ?? '',
    },
    appointmentId: opts['appointment-id'] ?? `a-${crypto.randomBytes(10).toString('hex')}`,
  }, { retry: true });
  // Only the caller's own participant entries carry a link (video appointments).
  const own = appointment.participants.find((p) => p.joinUri !== '');
  return {
    name: appointment.name,
    kind: appointment.kind,
    state: appointment.state,
    startTime: chinaTime(appointment.startTime),
    endTime: chinaTime(appointment.endTime),
    mediator: appointment.mediator,
    participants: appointment.participants.map((p) => p.participant),
    joinUri: own ? own.joinUri : null,
    joinAs: own ? own.participant : null,
  };
}

// whoami: the citizen acted for and the partner app, as odrd sees them.
async function whoami(odr) {
  await odr.login();
  const caller = await odr.unary(odr.auth, 'GetCaller', {}, { retry: true });
  return { name: caller.name, role: caller.role, actingThrough: caller.actingThrough };
}

// ---------------------------------------------------------------------------------------------
// Main

// The message of a failed call for stderr: method, status code, message and ErrorDetails.
function describeError(odr, err) {
  const code = Object.keys(grpc.status).find((k) => grpc.status[k] === err.code) ?? err.code;
  const message = err.details ?? err.message;
  const lines = [`partner_app: ${err.method}: ${code} (${err.code}): ${message}`];
  const details = odr.errorDetails(err);
  if (details) {
    if (details.reason) lines.push(`  reason: ${details.reason}`);
    if (details.currentState) lines.push(`  current state: ${details.currentState}`);
    // Each field violation the message does not already spell out.
    for (const v of details.fieldViolations) {
      if (!message.includes(`${v.field}: ${v.description}`)) {
        lines.push(`  ${v.field}: ${v.description}`);
      }
    }
    for (const [k, v] of Object.entries(details.metadata || {})) lines.push(`  ${k}: ${v}`);
  }
  return lines.join('\n');
}

function exitCodeOf(err) {
  if (err.code === grpc.status.NOT_FOUND) return EXIT_NOT_FOUND;
  if (err.code === grpc.status.UNAUTHENTICATED) return EXIT_UNAUTHENTICATED;
  return EXIT_FAILURE;
}

async function main(argv) {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? EXIT_USAGE : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    process.stderr.write(`partner_app: unknown command '${name}'\n\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  let odr = null;
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: rest,
        options: { ...GLOBAL_OPTIONS, ...command.options },
        allowPositionals: true,
        strict: true,
      });
    } catch (e) {
      throw new UsageError(e.message);
    }
    const { values: opts, positionals } = parsed;
    if (opts.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length !== command.positionals) {
      throw new UsageError(`${name} takes ${command.positionals} argument(s), got ` +
        `${positionals.length}`);
    }
    odr = new Odr(connectionSettings(opts));
    const result = await command.run(odr, opts, positionals);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`partner_app: ${err.message} (see --help)\n`);
      return EXIT_USAGE;
    }
    if (err.method === undefined || odr === null) throw err;
    process.stderr.write(`${describeError(odr, err)}\n`);
    return exitCodeOf(err);
  } finally {
    if (odr !== null) odr.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`partner_app: ${err.stack || err}\n`);
    process.exitCode = EXIT_FAILURE;
  });
