import path from 'node:path';
import type Router from '@koa/router';
import type { PlatformContext } from '../kernel/context';
import { prepareRuntimeModules } from '../compute/runtime-modules';
import { JobService } from '../jobs/job-service';
import { chooseExecutors, type Executors } from './cluster-setup';
import { trainingJobRoutes } from '../jobs/routes/training-jobs';
import { trainingJobsV2Routes } from '../jobs/routes/modelarts-v2';
import { ModelService } from '../models/model-service';
import { modelRoutes } from '../models/routes/models';
import { modelsV1Routes } from '../models/routes/modelarts-v1';
import { ServiceManager } from '../services/manager/service-manager';
import { serviceRoutes } from '../services/routes/services';
import { servicesV1Routes } from '../services/routes/modelarts-v1';
import { BatchManager } from '../services/batch/batch-manager';
import { bucketRoutes } from '../storage/routes/buckets';
import { ObjectBrowser } from '../storage/object-browser';
import { Credentials } from './auth/credentials';
import { IamTokens } from './auth/iam-tokens';
import { iamRoutes } from './http/routes/iam';
import { consoleRoutes } from './http/routes/console';

/** A part of the platform (jobs, models, services) with its routes and lifecycle. */
export interface Area {
  routes(): Router[];
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

export interface Areas {
  areas: Area[];
  services: ServiceManager;
  credentials: Credentials;
  /** Where jobs and instances run (this machine, or a Slurm cluster whose nodes connect back). */
  executors: Executors;
}

/** Builds the areas over one context and wires them to each other; none is started yet. */
export async function buildAreas(context: PlatformContext): Promise<Areas> {
  const { config } = context;
  const runtimeModules = await prepareRuntimeModules(config.dataDir);
  const executors = await chooseExecutors(context, runtimeModules);
  const jobs = new JobService(context, executors.jobs);
  // Models ask the services which of them run a model; `services` exists by the time they ask.
  const models: ModelService = new ModelService(context, jobs, (id) => [...services.modelUsers(id), ...batch.modelUsers(id)]);
  const batch: BatchManager = new BatchManager(context, models, (name): boolean => services.idByName(name) !== undefined, executors.instances);
  const tokens = new IamTokens(path.join(config.dataDir, 'meta'), config.modelarts.tokenTtlSeconds);
  const credentials = new Credentials(config.modelarts, config.authToken, tokens);
  // Instances judge tokens through the platform: they hold no secret of its own.
  const access = { tokens: credentials.required, judge: (token: string) => credentials.tokenVerdict(token) };
  const services: ServiceManager = new ServiceManager(context, models, (name): boolean => batch.nameTaken(name), access, executors.instances);
  const areas: Area[] = [
    { routes: () => [consoleRoutes(), bucketRoutes(new ObjectBrowser(context))] },
    { routes: () => [iamRoutes(context, credentials)], start: () => tokens.start() },
    { routes: () => [trainingJobRoutes(jobs), trainingJobsV2Routes(jobs, context)], start: () => jobs.start(), stop: () => jobs.shutdown() },
    { routes: () => [modelRoutes(models), modelsV1Routes(models, context)], start: () => models.start() },
    { routes: () => [serviceRoutes(services, batch), servicesV1Routes(services, context, batch)], start: () => services.start(), stop: () => services.shutdown() },
    { routes: () => [], start: () => batch.start(), stop: () => batch.shutdown() },
  ];
  return { areas, services, credentials, executors };
}
