// Generated from core's rules by `ipc::rules::rules_module`. Do not edit:
// run `UPDATE_BINDINGS=1 cargo test -p gridpatrol-core --lib ipc` to regenerate.

import type { Rules } from "./bindings";

export const RULES: Rules = {
  "limits": {
    "description": 2000,
    "address": 200,
    "note": 1000,
    "responsible_unit": 100,
    "user_name": 50,
    "photo_default_max_bytes": 20971520,
    "photo_max_side": 16384,
    "photo_max_pixels": 50000000,
    "grid_weeks": 520,
    "passphrase_min_chars": 8
  },
  "statuses": [
    {
      "status": "reported",
      "open": true,
      "awaits_rectification": true,
      "needs_reason": false
    },
    {
      "status": "accepted",
      "open": true,
      "awaits_rectification": true,
      "needs_reason": false
    },
    {
      "status": "rejected",
      "open": false,
      "awaits_rectification": false,
      "needs_reason": true
    },
    {
      "status": "rectifying",
      "open": true,
      "awaits_rectification": true,
      "needs_reason": false
    },
    {
      "status": "rectified",
      "open": true,
      "awaits_rectification": false,
      "needs_reason": false
    },
    {
      "status": "rework",
      "open": true,
      "awaits_rectification": true,
      "needs_reason": true
    },
    {
      "status": "closed",
      "open": false,
      "awaits_rectification": false,
      "needs_reason": false
    },
    {
      "status": "reopened",
      "open": true,
      "awaits_rectification": true,
      "needs_reason": true
    },
    {
      "status": "suspended",
      "open": true,
      "awaits_rectification": false,
      "needs_reason": true
    }
  ],
  "moves": [
    {
      "from": "reported",
      "to": "accepted",
      "roles": [
        "lead",
        "admin"
      ]
    },
    {
      "from": "reported",
      "to": "rejected",
      "roles": [
        "lead",
        "admin"
      ]
    },
    {
      "from": "accepted",
      "to": "rectifying",
      "roles": [
        "lead",
        "admin"
      ]
    },
    {
      "from": "rectifying",
      "to": "rectified",
      "roles": [
        "officer",
        "lead",
        "admin",
        "liaison"
      ]
    },
    {
      "from": "rectifying",
      "to": "accepted",
      "roles": [
        "liaison"
      ]
    },
    {
      "from": "rectifying",
      "to": "suspended",
      "roles": [
        "lead",
        "admin"
      ]
    },
    {
      "from": "suspended",
      "to": "rectifying",
      "roles": [
        "lead",
        "admin"
      ]
    },
    {
      "from": "rectified",
      "to": "closed",
      "roles": [
        "lead",
        "admin"
      ]
    },
    {
      "from": "rectified",
      "to": "rework",
      "roles": [
        "lead",
        "admin"
      ]
    },
    {
      "from": "rework",
      "to": "rectified",
      "roles": [
        "officer",
        "lead",
        "admin",
        "liaison"
      ]
    },
    {
      "from": "closed",
      "to": "reopened",
      "roles": [
        "lead",
        "admin"
      ]
    },
    {
      "from": "reopened",
      "to": "rectifying",
      "roles": [
        "lead",
        "admin"
      ]
    }
  ],
  "roles": [
    {
      "role": "officer",
      "supervises": false
    },
    {
      "role": "lead",
      "supervises": true
    },
    {
      "role": "admin",
      "supervises": true
    },
    {
      "role": "liaison",
      "supervises": false
    }
  ],
  "rhythm": [
    3,
    6
  ],
  "queue": [
    {
      "key": "reported",
      "list": {
        "kind": "findings",
        "filter": {
          "grid": null,
          "large_grid": null,
          "grids": null,
          "unit": null,
          "status": "reported",
          "open_only": false,
          "overdue_only": false,
          "deferral_pending": false,
          "returned_only": false,
          "category": null,
          "search": null,
          "observed_from": null,
          "observed_until": null,
          "sort": "observed_desc",
          "limit": null
        }
      }
    },
    {
      "key": "accepted",
      "list": {
        "kind": "findings",
        "filter": {
          "grid": null,
          "large_grid": null,
          "grids": null,
          "unit": null,
          "status": "accepted",
          "open_only": false,
          "overdue_only": false,
          "deferral_pending": false,
          "returned_only": false,
          "category": null,
          "search": null,
          "observed_from": null,
          "observed_until": null,
          "sort": "observed_desc",
          "limit": null
        }
      }
    },
    {
      "key": "rectified",
      "list": {
        "kind": "findings",
        "filter": {
          "grid": null,
          "large_grid": null,
          "grids": null,
          "unit": null,
          "status": "rectified",
          "open_only": false,
          "overdue_only": false,
          "deferral_pending": false,
          "returned_only": false,
          "category": null,
          "search": null,
          "observed_from": null,
          "observed_until": null,
          "sort": "observed_desc",
          "limit": null
        }
      }
    },
    {
      "key": "deferral_requested",
      "list": {
        "kind": "findings",
        "filter": {
          "grid": null,
          "large_grid": null,
          "grids": null,
          "unit": null,
          "status": null,
          "open_only": false,
          "overdue_only": false,
          "deferral_pending": true,
          "returned_only": false,
          "category": null,
          "search": null,
          "observed_from": null,
          "observed_until": null,
          "sort": "observed_desc",
          "limit": null
        }
      }
    },
    {
      "key": "returned_by_unit",
      "list": {
        "kind": "findings",
        "filter": {
          "grid": null,
          "large_grid": null,
          "grids": null,
          "unit": null,
          "status": null,
          "open_only": false,
          "overdue_only": false,
          "deferral_pending": false,
          "returned_only": true,
          "category": null,
          "search": null,
          "observed_from": null,
          "observed_until": null,
          "sort": "observed_desc",
          "limit": null
        }
      }
    },
    {
      "key": "logs_to_review",
      "list": {
        "kind": "logs_to_review"
      }
    },
    {
      "key": "overdue",
      "list": {
        "kind": "findings",
        "filter": {
          "grid": null,
          "large_grid": null,
          "grids": null,
          "unit": null,
          "status": null,
          "open_only": false,
          "overdue_only": true,
          "deferral_pending": false,
          "returned_only": false,
          "category": null,
          "search": null,
          "observed_from": null,
          "observed_until": null,
          "sort": "due_asc",
          "limit": null
        }
      }
    }
  ],
  "liaison_queue": [
    {
      "key": "to_rectify",
      "list": {
        "kind": "findings",
        "filter": {
          "grid": null,
          "large_grid": null,
          "grids": null,
          "unit": null,
          "status": "rectifying",
          "open_only": false,
          "overdue_only": false,
          "deferral_pending": false,
          "returned_only": false,
          "category": null,
          "search": null,
          "observed_from": null,
          "observed_until": null,
          "sort": "observed_desc",
          "limit": null
        }
      }
    },
    {
      "key": "rework",
      "list": {
        "kind": "findings",
        "filter": {
          "grid": null,
          "large_grid": null,
          "grids": null,
          "unit": null,
          "status": "rework",
          "open_only": false,
          "overdue_only": false,
          "deferral_pending": false,
          "returned_only": false,
          "category": null,
          "search": null,
          "observed_from": null,
          "observed_until": null,
          "sort": "observed_desc",
          "limit": null
        }
      }
    },
    {
      "key": "deferral_pending",
      "list": {
        "kind": "findings",
        "filter": {
          "grid": null,
          "large_grid": null,
          "grids": null,
          "unit": null,
          "status": null,
          "open_only": false,
          "overdue_only": false,
          "deferral_pending": true,
          "returned_only": false,
          "category": null,
          "search": null,
          "observed_from": null,
          "observed_until": null,
          "sort": "observed_desc",
          "limit": null
        }
      }
    },
    {
      "key": "overdue",
      "list": {
        "kind": "findings",
        "filter": {
          "grid": null,
          "large_grid": null,
          "grids": null,
          "unit": null,
          "status": null,
          "open_only": false,
          "overdue_only": true,
          "deferral_pending": false,
          "returned_only": false,
          "category": null,
          "search": null,
          "observed_from": null,
          "observed_until": null,
          "sort": "due_asc",
          "limit": null
        }
      }
    }
  ]
};
