// Builds the application from its parts: no listening here (server.ts does that), so tests build
// the same app and drive it with `app.inject`.
import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { ApiKeyRepository } from './api-keys/api-key-repository.ts';
import { ApiKeyService } from './api-keys/api-key-service.ts';
import { apiKeyRoutes } from './api-keys/routes.ts';
import { AssistantRepository } from './assistants/assistant-repository.ts';
import { AssistantService } from './assistants/assistant-service.ts';
import { historyRoutes } from './assistants/history-routes.ts';
import { assistantRoutes } from './assistants/routes.ts';
import { UpdateLeases } from './assistants/update-lease.ts';
import { AuditLog } from './audit/audit-log.ts';
import { auditRoutes } from './audit/routes.ts';
import { AuthService } from './auth/auth-service.ts';
import { LoginLimits } from './auth/login-limits.ts';
import { PasswordResetService } from './auth/password-reset.ts';
import { passwordResetRoutes } from './auth/password-reset-routes.ts';
import { authRoutes } from './auth/routes.ts';
import { SessionRepository } from './auth/session-repository.ts';
import { UserRepository } from './auth/user-repository.ts';
import type { Config } from './config/config.ts';
import { ConnectionRepository } from './connections/connection-repository.ts';
import { ConnectionService } from './connections/connection-service.ts';
import { type ClientSettings, ProviderClients } from './connections/provider-clients.ts';
import { ConnectionProvisioning } from './connections/provisioning.ts';
import { connectionRoutes } from './connections/routes.ts';
import { Caches } from './db/caches.ts';
import type { Database } from './db/database.ts';
import { createGuards } from './http/authenticate.ts';
import { registerCsrfCheck } from './http/csrf.ts';
import { registerDashboard } from './http/dashboard.ts';
import { registerErrorHandling } from './http/error-handler.ts';
import { healthRoutes } from './http/health.ts';
import { registerInFlightTracking } from './http/in-flight.ts';
import { serializeRequest } from './http/links.ts';
import { registerNulGuard } from './http/nul-guard.ts';
import { registerOpenApi } from './http/openapi.ts';
import { type OperatorAccess, operatorRoutes } from './http/operator.ts';
import { registerSecurityHeaders } from './http/security-headers.ts';
import { createValidatorCompiler } from './http/validation.ts';
import { InvitationRepository } from './invitations/invitation-repository.ts';
import { InvitationService } from './invitations/invitation-service.ts';
import { invitationRoutes } from './invitations/routes.ts';
import { JobRepository } from './jobs/job-repository.ts';
import { JobRunner, type JobRunnerOptions } from './jobs/job-runner.ts';
import { JobService } from './jobs/job-service.ts';
import { jobRoutes } from './jobs/routes.ts';
import { createMailer } from './mail/mailer.ts';
import { OrgRepository } from './orgs/org-repository.ts';
import { OrgService } from './orgs/org-service.ts';
import { orgRoutes } from './orgs/routes.ts';
import { providerRoutes } from './providers/routes.ts';
import { Sandbox } from './providers/sandbox/sandbox.ts';
import type { SecretBox } from './secrets/secret-box.ts';
import { acceptEmptyJsonBodies } from './shared/json-body.ts';
import { ConnectionPacer } from './sync/pacer.ts';
import { Reconciler } from './sync/reconciler.ts';

export interface Services {
  readonly auth: AuthService;
  readonly orgs: OrgService;
  readonly invitations: InvitationService;
  readonly passwordResets: PasswordResetService;
  readonly assistants: AssistantService;
  readonly sessions: SessionRepository;
  readonly apiKeys: ApiKeyService;
  readonly audit: AuditLog;
  readonly reconciler: Reconciler;
  readonly jobs: JobService;
  /** Runs queued jobs in the background; started by the server (and by tests that need it). */
  readonly jobRunner: JobRunner;
  readonly caches: Caches;
  readonly connections: ConnectionService;
  readonly provisioning: ConnectionProvisioning;
  /** The built-in sandbox provider's in-process server; closed at shutdown. */
  readonly sandbox: Sandbox;
}

export interface ServiceDeps {
  /** Seals and opens the connections' API keys. */
  secrets: SecretBox;
  /** Overrides of the provider clients' retry policy (tests shorten the backoff). */
  clientSettings?: Partial<ClientSettings>;
  /** Overrides of the job runner's timing (tests shorten the lease). */
  jobRunner?: Partial<JobRunnerOptions>;
}

/** A job whose server stops renewing is taken over within this (SPEC section 12: 30 s). */
const JOB_LEASE_MS = 20_000;

/** One retry policy for every provider client: retries stop once this much time has passed. */
const RETRY_BUDGET_MS = 5_000;

export function createServices(
  config: Config,
  db: Database,
  log: FastifyBaseLogger,
  { secrets, clientSettings, jobRunner: jobRunnerSettings }: ServiceDeps,
): Services {
  const users = new UserRepository(db);
  const sessions = new SessionRepository(db);
  const orgRepository = new OrgRepository(db);
  const assistantRepository = new AssistantRepository(db);
  const connectionRepository = new ConnectionRepository(db);
  const audit = new AuditLog(db, log);
  const caches = new Caches();
  const provisioning = new ConnectionProvisioning(connectionRepository, secrets, {
    sandbox: config.sandbox,
    serverVapi: config.vapiApiKey ? { apiKey: config.vapiApiKey, baseUrl: config.vapiBaseUrl } : undefined,
  });
  const apiKeyRepository = new ApiKeyRepository(db);
  const orgs = new OrgService(db, orgRepository, audit, provisioning, apiKeyRepository, caches);
  const mailer = createMailer(config);
  const sandbox = new Sandbox(db);
  const clients = new ProviderClients(connectionRepository, secrets, sandbox, caches, {
    timeoutMs: config.providerTimeoutMs,
    retryBudgetMs: RETRY_BUDGET_MS,
    ...clientSettings,
  });
  const connections = new ConnectionService(db, connectionRepository, orgs, audit, clients, provisioning);
  const updateLeaseMs = UpdateLeases.lengthFor(config.providerTimeoutMs, RETRY_BUDGET_MS);
  const assistants = new AssistantService(
    assistantRepository,
    connections,
    new UpdateLeases(assistantRepository, updateLeaseMs, config.updateWaitMs),
    audit,
    caches,
    log,
  );
  // One pace per connection for every background caller: the reconciler and the jobs.
  const pacer = new ConnectionPacer(config.syncMaxCallsPerSecond);
  const jobRepository = new JobRepository(db);
  const jobRunner = new JobRunner(db, jobRepository, assistants, connections, pacer, log, {
    pollMs: 1_000,
    leaseMs: JOB_LEASE_MS,
    concurrency: 2,
    ...jobRunnerSettings,
  });
  const jobs = new JobService(jobRepository, assistants, connections, () => jobRunner.wake(), updateLeaseMs);
  const auth = new AuthService(
    db,
    users,
    sessions,
    orgRepository,
    audit,
    provisioning,
    config.sessionTtlHours,
    new LoginLimits(db, config.loginRateLimit),
    caches,
  );
  return {
    sessions,
    connections,
    provisioning,
    sandbox,
    auth,
    orgs,
    invitations: new InvitationService(
      db,
      new InvitationRepository(db),
      orgs,
      orgRepository,
      users,
      auth,
      audit,
      { ttlHours: config.invitationTtlHours, mailer },
      caches,
    ),
    passwordResets: new PasswordResetService(
      db,
      users,
      sessions,
      orgRepository,
      { ttlMinutes: config.passwordResetTtlMinutes, mailer },
      log,
      caches,
    ),
    apiKeys: new ApiKeyService(db, apiKeyRepository, orgs, audit, caches),
    caches,
    audit,
    assistants,
    jobs,
    jobRunner,
    reconciler: new Reconciler(
      assistantRepository,
      assistants,
      { intervalMs: config.syncIntervalMs, maxCallsPerSecond: config.syncMaxCallsPerSecond, pacer },
      log,
    ),
  };
}

export interface AppDeps {
  config: Config;
  db: Database;
  services: Services;
  logger: FastifyBaseLogger;
  /** The operator's route on this server (`npm run reset-password` while it runs); off without. */
  operator?: OperatorAccess;
}

export async function buildApp({
  config,
  db,
  services,
  logger,
  operator,
}: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // Links' tokens travel in paths; the request log shows them masked.
    loggerInstance: logger.child({}, { serializers: { req: serializeRequest } }),
    bodyLimit: 256 * 1024,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    ajv: undefined,
    // Only once every request has finished (see registerInFlightTracking).
    forceCloseConnections: true,
    // Client address, protocol and host from X-Forwarded-* only behind a proxy the operator names.
    // Fastify takes a hop count too (lib/request.js); its types leave numbers out.
    trustProxy: config.trustProxy as boolean | string[],
  }).withTypeProvider<TypeBoxTypeProvider>();
  registerInFlightTracking(app);
  app.setValidatorCompiler(createValidatorCompiler());
  acceptEmptyJsonBodies(app);
  // JSON only: Fastify also takes text/plain, as a string, so a JSON body sent as text/plain would
  // meet a schema error about a string instead of the 415 that names the problem.
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('session', null);
  app.decorateRequest('actor', null);
  // Every answer names its request, so a caller can find it in the audit log and the server's log.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });

  registerErrorHandling(app);
  registerSecurityHeaders(app, {
    contentSecurityPolicy: {
      directives: {
        // The API reference at /docs uses inline styles.
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        // Over plain HTTP (local use) upgrading would break every asset request.
        'upgrade-insecure-requests': config.cookieSecure ? [] : null,
      },
    },
  });
  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  registerCsrfCheck(app, config.allowedOrigins);
  registerNulGuard(app);
  await registerOpenApi(app);

  const guards = createGuards(services.sessions, services.apiKeys, services.caches);
  // Sign-outs, role and membership changes, key revocations and password resets: the services that
  // make them tell this server's caches before they answer, so the change holds for the caller's
  // very next request; other servers hear of it from the database's notification.
  await app.register(healthRoutes, { db });
  await app.register(authRoutes, { auth: services.auth, guards, config });
  await app.register(orgRoutes, { orgs: services.orgs, guards });
  await app.register(invitationRoutes, { invitations: services.invitations, guards, config });
  await app.register(passwordResetRoutes, { passwordResets: services.passwordResets, config });
  if (operator) await app.register(operatorRoutes, { ...operator, passwordResets: services.passwordResets });
  await app.register(apiKeyRoutes, { apiKeys: services.apiKeys, guards });
  await app.register(connectionRoutes, { connections: services.connections, guards });
  await app.register(auditRoutes, { audit: services.audit, orgs: services.orgs, guards });
  await app.register(assistantRoutes, { assistants: services.assistants, guards });
  await app.register(historyRoutes, { assistants: services.assistants, guards });
  await app.register(jobRoutes, { jobs: services.jobs, guards });
  await app.register(providerRoutes, { guards });
  await registerDashboard(app);
  return app;
}
