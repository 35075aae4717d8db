/* zhiliang widget loader (docs/embed.md). One line on any page:
 *   <script src="https://HOST/embed.js" data-widget="zone" data-zone="zj-ninghai-stationery"></script>
 * inserts an iframe of https://HOST/embed/zone/zj-ninghai-stationery right after itself and keeps its height
 * fitted to the widget: the widget page posts its height, and only messages from HOST and from this very frame
 * are read. Every other data- attribute becomes a URL parameter of the widget (data-hs-codes="9503" is
 * hsCodes=9503), except data-title (the frame's accessible name) and data-height (its height until the first
 * message). No framework, no cookie, no request to any other host. */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || !script.src) return;
  var origin = new URL(script.src, document.baseURI).origin;
  var data = script.dataset;
  var widget = data.widget || 'zone';
  var titles = {
    zone: '示范区成员企业',
    brands: '品牌名录',
    titles: '荣誉称号',
    credit: '信用名单',
    notices: 'WTO/TBT-SPS 通报',
    standards: '标准目录'
  };
  if (!Object.prototype.hasOwnProperty.call(titles, widget)) {
    console.error('zhiliang embed: data-widget must be one of ' + Object.keys(titles).join(', '));
    return;
  }
  var path = '/embed/' + widget;
  if (widget === 'zone') {
    if (!data.zone) {
      console.error('zhiliang embed: data-zone (the zone code) is missing');
      return;
    }
    path += '/' + encodeURIComponent(data.zone);
  }
  var params = new URLSearchParams();
  Object.keys(data).forEach(function (k) {
    if (k !== 'widget' && k !== 'zone' && k !== 'title' && k !== 'height') params.append(k, data[k]);
  });
  var query = params.toString();
  var frame = document.createElement('iframe');
  frame.src = origin + path + (query ? '?' + query : '');
  frame.title = data.title || titles[widget];
  frame.setAttribute('scrolling', 'no');
  frame.setAttribute('referrerpolicy', 'strict-origin-when-cross-origin');
  frame.setAttribute('sandbox', 'allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox');
  var initial = parseInt(data.height, 10);
  frame.style.cssText = 'display:block;width:100%;border:0;overflow:hidden;height:' +
    (initial > 0 ? initial : 400) + 'px';
  script.parentNode.insertBefore(frame, script.nextSibling);
  window.addEventListener('message', function (e) {
    if (e.origin !== origin || e.source !== frame.contentWindow) return;
    var m = e.data;
    if (!m || m.type !== 'zhiliang-embed-height' || typeof m.height !== 'number' || !(m.height > 0)) return;
    frame.style.height = Math.min(Math.ceil(m.height), 100000) + 'px';
  });
})();
