/** Random identifiers from the platform's CSPRNG (web standard, present in browsers, workerd and Node). */
export function randomId(): string {
  return crypto.randomUUID().replaceAll('-', '');
}
