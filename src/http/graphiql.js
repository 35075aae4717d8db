// zhiliang's GraphiQL page: renders GraphiQL (installed by scripts/install-web-assets) against this service's
// GraphQL endpoint. Served at /graphiql/init.js from the binary; it loads nothing from any other host.
(function () {
  'use strict';

  var DEFAULT_QUERY = [
    '# zhiliang: China\'s quality-and-export public information over GraphQL.',
    '# Run with Ctrl-Enter or the ▶ button; the Docs button on the left lists every field.',
    '{',
    '  notices(first: 3) {',
    '    totalCount',
    '    nodes { symbol titleZh distributionDate commentDeadline }',
    '  }',
    '  standard(number: "gb/t19001") {',
    '    match',
    '    standard { number titleZh status }',
    '  }',
    '}',
    ''
  ].join('\n');

  var root = document.getElementById('graphiql');
  if (!root || !window.React || !window.ReactDOM || !window.GraphiQL) {
    if (root) {
      root.textContent = 'GraphiQL could not start: its scripts did not load. The API answers at /graphql.';
    }
    return;
  }
  var endpoint = new URL(root.getAttribute('data-endpoint') || '/graphql', window.location.href).href;
  var fetcher = window.GraphiQL.createFetcher({ url: endpoint });
  window.ReactDOM.createRoot(root).render(
    window.React.createElement(window.GraphiQL, {
      fetcher: fetcher,
      defaultQuery: DEFAULT_QUERY,
      defaultEditorToolsVisibility: false
    })
  );
})();
