/* orgsync rules studio: page script (plain browser JS, no framework, no network beyond this origin). */
(function () {
  'use strict';
  var params = new URLSearchParams(location.search);
  var token = params.get('token');
  var $ = function (id) {
    return document.getElementById(id);
  };
  var editor = null;
  var lastSaved = '';
  var previewSeq = 0;
  var timer = null;

  function api(path, body) {
    var init = { headers: {} };
    if (token) init.headers['X-Orgsync-Studio-Token'] = token;
    if (body !== undefined) {
      init.method = 'POST';
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (r) {
      return r.json().then(function (j) {
        return { status: r.status, body: j };
      });
    });
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  // ---- org chart: one level at a time, 100 per page --------------------------------------------
  function orgItem(n) {
    var li = el('li', { 'data-id': n.id });
    var row = el('div', { class: 'node' });
    if (n.span > 0) {
      var b = el(
        'button',
        {
          type: 'button',
          class: 'toggle',
          'aria-expanded': 'false',
          'aria-label': 'Show the ' + n.span + ' direct reports of ' + n.name,
        },
        '▸',
      );
      b.addEventListener('click', function () {
        toggle(li, n, b);
      });
      row.appendChild(b);
    } else row.appendChild(el('span', { class: 'toggle-spacer', 'aria-hidden': 'true' }));
    row.appendChild(el('span', { class: 'name' }, n.name));
    var meta = [n.title, n.department].filter(Boolean).join(' · ');
    if (meta) row.appendChild(el('span', { class: 'muted' }, ' ' + meta));
    if (n.span > 0)
      row.appendChild(
        el('span', { class: 'count', title: n.span + ' direct, ' + n.size + ' in total' }, n.span + ' / ' + n.size),
      );
    li.appendChild(row);
    return li;
  }
  function loadChildren(ul, parent, offset) {
    return api('api/org/children?parent=' + encodeURIComponent(parent || '') + '&offset=' + offset).then(function (r) {
      var more = ul.querySelector(':scope > li.more');
      if (more) ul.removeChild(more);
      r.body.nodes.forEach(function (n) {
        ul.appendChild(orgItem(n));
      });
      var shown = r.body.offset + r.body.nodes.length;
      if (shown < r.body.total) {
        var li = el('li', { class: 'more' });
        var b = el('button', { type: 'button' }, 'Show more (' + (r.body.total - shown) + ' left)');
        b.addEventListener('click', function () {
          loadChildren(ul, parent, shown);
        });
        li.appendChild(b);
        ul.appendChild(li);
      }
    });
  }
  function toggle(li, n, button) {
    var open = button.getAttribute('aria-expanded') === 'true';
    var sub = li.querySelector(':scope > ul');
    if (open) {
      button.setAttribute('aria-expanded', 'false');
      button.textContent = '▸';
      if (sub) sub.hidden = true;
      return Promise.resolve();
    }
    button.setAttribute('aria-expanded', 'true');
    button.textContent = '▾';
    if (sub) {
      sub.hidden = false;
      return Promise.resolve();
    }
    sub = el('ul', { class: 'tree' });
    li.appendChild(sub);
    return loadChildren(sub, n.id, 0);
  }
  function searchOrg(q) {
    var box = $('org-results');
    clear(box);
    if (!q.trim()) return;
    api('api/org/search?q=' + encodeURIComponent(q)).then(function (r) {
      clear(box);
      box.appendChild(
        el(
          'p',
          { class: 'muted' },
          r.body.total +
            ' match' +
            (r.body.total === 1 ? '' : 'es') +
            (r.body.total > r.body.results.length ? ' (first ' + r.body.results.length + ')' : ''),
        ),
      );
      var ul = el('ul', { class: 'results' });
      r.body.results.forEach(function (n) {
        var li = el('li');
        li.appendChild(el('strong', null, n.name));
        li.appendChild(el('span', { class: 'muted' }, ' ' + [n.title, n.department].filter(Boolean).join(' · ')));
        if (n.chain.length > 1)
          li.appendChild(
            el(
              'div',
              { class: 'chain' },
              n.chain
                .map(function (c) {
                  return c.name;
                })
                .join(' › '),
            ),
          );
        ul.appendChild(li);
      });
      box.appendChild(ul);
    });
  }

  // ---- validation errors on their fields ----------------------------------------------------------
  function clearErrors() {
    document.querySelectorAll('.field-error').forEach(function (e) {
      e.parentNode.removeChild(e);
    });
    document.querySelectorAll('[aria-invalid="true"]').forEach(function (e) {
      e.removeAttribute('aria-invalid');
      e.removeAttribute('aria-describedby');
    });
    var s = $('error-summary');
    clear(s);
    s.hidden = true;
  }
  function editorFor(path) {
    var parts = path === '(root)' ? [] : path.split('.');
    for (var n = parts.length; n >= 0; n--) {
      var ed = editor.getEditor(['root'].concat(parts.slice(0, n)).join('.'));
      if (ed && ed.container) return ed;
    }
    return editor.root;
  }
  function showErrors(issues) {
    clearErrors();
    if (!issues || !issues.length) return;
    var s = $('error-summary');
    s.appendChild(
      el('p', null, issues.length + ' problem' + (issues.length === 1 ? '' : 's') + ' in the rule set (not saved):'),
    );
    var ul = el('ul');
    issues.forEach(function (issue, i) {
      var ed = editorFor(issue.path);
      var id = 'field-error-' + i;
      var p = el('p', { class: 'field-error', id: id, 'data-path': issue.path }, issue.text);
      var input = ed.input || (ed.container && ed.container.querySelector('input, select, textarea'));
      var anchor = ed.container;
      if (input && input.parentNode && anchor.contains(input)) input.parentNode.insertBefore(p, input.nextSibling);
      else anchor.insertBefore(p, anchor.firstChild);
      if (input) {
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', id);
      }
      var li = el('li');
      var a = el('a', { href: '#' + id }, issue.text);
      a.addEventListener('click', function (ev) {
        ev.preventDefault();
        (input || p).focus();
        p.scrollIntoView({ block: 'center' });
      });
      li.appendChild(a);
      ul.appendChild(li);
    });
    s.appendChild(ul);
    s.hidden = false;
  }

  // ---- rules at a glance: the group -> role table ----------------------------------------------------
  function describeCond(c) {
    if (!c || typeof c !== 'object') return '?';
    if (Array.isArray(c.all)) return c.all.length ? c.all.map(describeCond).join(' and ') : 'everyone';
    if (Array.isArray(c.any)) return c.any.length ? '(' + c.any.map(describeCond).join(' or ') + ')' : 'nobody';
    if (c.not) return 'not ' + describeCond(c.not);
    var a = c.attribute === 'customField' ? c.field || 'customField' : c.attribute;
    if (c.op === 'equals') return a + ' = ' + c.value;
    if (c.op === 'in') return a + ' in ' + (c.values || []).join(', ');
    if (c.op === 'matches') return a + ' ~ /' + c.pattern + '/' + (c.flags || '');
    if (c.op === 'exists') return c.value === false ? 'no ' + a : a + ' set';
    return '?';
  }
  function renderRuleTable(value) {
    var tb = $('rule-table').querySelector('tbody');
    clear(tb);
    var rules = (value && Array.isArray(value.rules) && value.rules) || [];
    rules.forEach(function (r, i) {
      var g = (r && r.grant) || {};
      var tr = el('tr', r && r.enabled === false ? { class: 'disabled' } : null);
      var th = el('th', { scope: 'row' });
      var b = el(
        'button',
        { type: 'button', class: 'link', 'aria-label': 'Edit rule ' + (r && r.id) },
        (r && r.id) || '(no id)',
      );
      b.addEventListener('click', function () {
        var box = document.querySelector('[data-schemapath="root.rules.' + i + '"]');
        if (!box) return;
        box.scrollIntoView({ block: 'start' });
        var input = box.querySelector('input, select, textarea');
        if (input) input.focus();
      });
      th.appendChild(b);
      tr.appendChild(th);
      tr.appendChild(el('td', null, describeCond(r && r.when)));
      tr.appendChild(el('td', null, g.role || '—'));
      tr.appendChild(el('td', null, (g.groups || []).join(', ') || '—'));
      tr.appendChild(el('td', null, [].concat(g.licenses || [], g.permissions || []).join(', ') || '—'));
      tb.appendChild(tr);
    });
    var t = (value && value.policy && value.policy.thresholds) || {};
    $('threshold-summary').textContent =
      'Safety stop above ' +
      (t.maxDeprovisionPercent !== undefined ? t.maxDeprovisionPercent : 10) +
      '% or ' +
      (t.maxDeprovisionCount !== undefined ? t.maxDeprovisionCount : 25) +
      ' people deprovisioned, or ' +
      (t.maxPermissionChangePercent !== undefined ? t.maxPermissionChangePercent : 20) +
      '% of accounts changing permissions' +
      (t.maxPermissionChangeCount !== undefined ? ' (max ' + t.maxPermissionChangeCount + ')' : '') +
      ' in one run.';
  }

  // ---- preview ---------------------------------------------------------------------------------------
  function renderPreview(body) {
    var a = body.access;
    $('preview-status').textContent = a.withAccount + ' of ' + a.total + ' people get an account under these rules.';
    var tb = $('dept-preview').querySelector('tbody');
    clear(tb);
    a.departments.forEach(function (d) {
      var tr = el('tr');
      tr.appendChild(el('th', { scope: 'row' }, d.department));
      tr.appendChild(el('td', null, d.people));
      tr.appendChild(el('td', null, d.withAccount));
      tr.appendChild(
        el(
          'td',
          null,
          Object.keys(d.roles)
            .sort()
            .map(function (k) {
              return k + ' ' + d.roles[k];
            })
            .join(', ') || '—',
        ),
      );
      tb.appendChild(tr);
    });
    var ul = $('people-preview');
    clear(ul);
    a.people.forEach(function (p) {
      var li = el('li', { 'data-id': p.id, class: p.source === 'no_account' ? 'none' : '' }, p.sentence);
      if (p.roleConflict) li.appendChild(el('div', { class: 'muted' }, 'role conflict: ' + p.roleConflict));
      ul.appendChild(li);
    });
    if (a.matchingPeople > a.people.length)
      ul.appendChild(
        el('li', { class: 'muted' }, '… and ' + (a.matchingPeople - a.people.length) + ' more: filter to narrow down.'),
      );
    renderPlan(body.plan);
  }
  function renderPlan(plan) {
    var safety = $('safety');
    var box = $('plan');
    clear(safety);
    clear(box);
    if (!plan.available) {
      safety.appendChild(el('p', { class: 'muted' }, plan.reason));
      return;
    }
    var s = plan.safety;
    var status = el(
      'p',
      { class: s.ok ? 'ok' : 'halt', id: 'safety-status' },
      s.ok
        ? '✓ Within safety thresholds: applying would run.'
        : '⚠ Safety stop: applying would halt and alert IT/security.',
    );
    safety.appendChild(status);
    if (!s.ok) {
      safety.appendChild(el('p', null, s.message));
      var appr = el('div', { class: 'approval' });
      appr.appendChild(el('p', null, 'Approval step: after review, approve this exact plan (' + plan.planId + '):'));
      appr.appendChild(el('pre', null, plan.approval.command));
      appr.appendChild(el('pre', null, plan.approval.option));
      safety.appendChild(appr);
    }
    box.appendChild(
      el(
        'p',
        null,
        'Plan ' +
          plan.planId +
          ': ' +
          plan.events +
          ' change event(s) → ' +
          plan.actions +
          ' action(s)' +
          (Object.keys(plan.byType).length
            ? ' (' +
              Object.keys(plan.byType)
                .sort()
                .map(function (k) {
                  return k + ' ' + plan.byType[k];
                })
                .join(', ') +
              ')'
            : '') +
          '.',
      ),
    );
    var ol = el('ol', { class: 'plan-lines' });
    plan.lines.forEach(function (l) {
      var li = el('li');
      li.appendChild(el('strong', null, l.name));
      li.appendChild(document.createTextNode(' — ' + l.action));
      li.appendChild(el('div', { class: 'muted' }, l.reason));
      ol.appendChild(li);
    });
    box.appendChild(ol);
    if (plan.truncated) box.appendChild(el('p', { class: 'muted' }, 'First ' + plan.lines.length + ' actions shown.'));
  }
  function preview() {
    var seq = ++previewSeq;
    var value = editor.getValue();
    $('preview-status').textContent = 'Updating preview…';
    return api('api/preview', { rules: value, query: $('person-filter').value }).then(function (r) {
      if (seq !== previewSeq) return;
      if (r.status !== 200) {
        $('preview-status').textContent = 'Preview failed: ' + (r.body.error || r.status);
        return;
      }
      showErrors(r.body.issues);
      if (!r.body.valid) {
        $('preview-status').textContent = 'Fix the problems in the rules to see the preview.';
        return;
      }
      renderPreview(r.body);
    });
  }
  function schedule() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(preview, 250);
    renderRuleTable(editor.getValue());
    var dirty = JSON.stringify(editor.getValue()) !== lastSaved;
    $('save').disabled = !dirty;
    $('save-status').textContent = dirty ? 'Unsaved changes' : '';
  }
  function save() {
    var value = editor.getValue();
    $('save').disabled = true;
    $('save-status').textContent = 'Saving…';
    return api('api/save', { rules: value }).then(function (r) {
      if (r.status === 200) {
        lastSaved = JSON.stringify(value);
        showErrors([]);
        $('save-status').textContent = 'Saved.';
      } else {
        $('save').disabled = false;
        showErrors(r.body.issues || []);
        $('save-status').textContent = r.body.issues
          ? 'Not saved: fix the problems listed above.'
          : 'Not saved: ' + (r.body.error || r.status);
      }
    });
  }

  // ---- start ---------------------------------------------------------------------------------------
  api('api/state').then(function (r) {
    if (r.status !== 200) {
      $('source').textContent = 'Cannot load: ' + (r.body.error || r.status);
      return;
    }
    var st = r.body;
    $('source').textContent =
      st.company.name +
      ': ' +
      st.people +
      ' people, snapshot ' +
      st.takenAt +
      (st.previousTakenAt ? ' (plan from ' + st.previousTakenAt + ')' : '');
    var dl = $('dept-list');
    st.departments.forEach(function (d) {
      dl.appendChild(el('li', null, d.department + ' (' + d.people + ')'));
    });
    loadChildren($('org-tree'), null, 0);
    if (!st.rules || typeof st.rules !== 'object' || Array.isArray(st.rules)) {
      // Not a JSON object: never replace the file with an empty rule set. Fix it by hand, then reload.
      var s = $('error-summary');
      s.appendChild(el('p', null, 'The rules file cannot be edited here until it is a JSON object:'));
      var ul = el('ul');
      st.issues.forEach(function (i) {
        ul.appendChild(el('li', null, i.text));
      });
      s.appendChild(ul);
      s.hidden = false;
      document.body.setAttribute('data-ready', 'true');
      return;
    }
    window.JSONEditor.defaults.options.iconlib = null;
    editor = new window.JSONEditor($('editor'), {
      schema: st.schema,
      startval: st.rules,
      theme: 'html',
      show_errors: 'never',
      show_opt_in: true,
      remove_empty_properties: true,
      disable_edit_json: false,
      disable_properties: false,
      prompt_before_delete: false,
      array_controls_top: false,
      keep_oneof_values: false,
      compact: false,
    });
    editor.on('ready', function () {
      lastSaved = JSON.stringify(editor.getValue());
      renderRuleTable(editor.getValue());
      document.body.setAttribute('data-ready', 'true');
      if (st.issues.length) showErrors(st.issues);
      preview();
      editor.on('change', schedule);
    });
  });
  $('save').addEventListener('click', save);
  var ot = null;
  $('org-search').addEventListener('input', function (e) {
    clearTimeout(ot);
    ot = setTimeout(function () {
      searchOrg(e.target.value);
    }, 200);
  });
  var pt = null;
  $('person-filter').addEventListener('input', function () {
    clearTimeout(pt);
    pt = setTimeout(preview, 250);
  });
})();
