// Extend: placeholder until the mode is built; it exports the interface every mode has (see main.js).
export async function run(request, push = true) { }
export function ready(v) { return false; }
export function fill(v) { }
export function wire() { }
