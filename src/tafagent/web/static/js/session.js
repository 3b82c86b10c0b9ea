// What the page keeps between actions: the mode on screen, each mode's share-URL inputs and last result.
export const session = {
  mode: "profile",
  results: {},        // mode → { type, inputs, payload, markdown }: what Export saves for the mode on screen
  params: {},         // mode → its share-URL inputs, so switching tabs keeps each mode's link
  stale: new Set(),   // modes rendered in another language, re-rendered when shown again
};

export function remember(mode, result) {
  session.results[mode] = result;
  session.stale.delete(mode);
}
