/**
 * Picks the hook class out of what a customize_service file exports: exactly one
 * class, extending BaseService, as ModelArts requires; anything else is refused with
 * a message that says what the file exported.
 */
import { BaseService } from './base-service';
import { HookError } from './hook-error';

export type HookClass = new (model_name: string, model_path: string) => BaseService;

const REQUIREMENT =
  "it must export exactly one class, extending TfServingBaseService (or BaseService) from 'model_service/tfserving_model_service'";

export function pickHookClass(moduleExports: unknown, file: string, fileName: string): HookClass {
  const exported = exportedValues(moduleExports);
  const classes = [...new Set(exported.map(([, v]) => v).filter(isClass))];
  if (classes.length === 0) {
    const found = exported.map(([name, v]) => `${kindOf(v)} ${name}`).join(', ') || 'nothing';
    throw new HookError(file, `${fileName} exports no class (found: ${found}); ${REQUIREMENT}`);
  }
  if (classes.length > 1) {
    const names = classes.map(className).join(', ');
    throw new HookError(file, `${fileName} exports ${classes.length} classes (${names}); ${REQUIREMENT}`);
  }
  const [candidate] = classes;
  if (!(candidate.prototype instanceof BaseService)) {
    throw new HookError(file, `${fileName} exports class ${className(candidate)}, which does not extend BaseService${foreignHint(candidate)}; ${REQUIREMENT}`);
  }
  return candidate as HookClass;
}

function exportedValues(moduleExports: unknown): [string, unknown][] {
  if (typeof moduleExports === 'function') return [['module.exports', moduleExports]];
  if (moduleExports === null || typeof moduleExports !== 'object') return [];
  return Object.keys(moduleExports)
    .filter((key) => key !== '__esModule')
    .map((key) => [key, (moduleExports as Record<string, unknown>)[key]]);
}

// Constructors written as functions count too, when they inherit from BaseService.
function isClass(value: unknown): value is new (...args: unknown[]) => unknown {
  if (typeof value !== 'function') return false;
  return /^class\b/.test(Function.prototype.toString.call(value)) || value.prototype instanceof BaseService;
}

/** A base class named like ours but not ours: another copy of model_service was loaded. */
function foreignHint(cls: new (...args: unknown[]) => unknown): string {
  for (let p = Object.getPrototypeOf(cls); typeof p === 'function' && p !== Function.prototype; p = Object.getPrototypeOf(p)) {
    if (p.name === 'BaseService' || p.name === 'TfServingBaseService') {
      return ` (it extends a different copy of ${p.name}: import it from 'model_service/tfserving_model_service' and ship no model_service of your own)`;
    }
  }
  return '';
}

function className(cls: { readonly name: string }): string {
  return cls.name || '(anonymous class)';
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (isClass(value)) return 'class';
  return typeof value;
}
