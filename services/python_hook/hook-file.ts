/** ModelArts' Python inference code: the file that makes an instance run Python workers. */
export const PYTHON_HOOK = 'customize_service.py';

export function isPythonHook(hookFile: string | undefined): boolean {
  return hookFile === PYTHON_HOOK;
}
