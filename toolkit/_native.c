/* toolkit._native: the lexicon's word table and its unigram segmentation, in C.
 *
 * The same computation as the pure-Python code in toolkit/lexicon.py (Lexicon.segment and
 * Lexicon.extend), which stays the reference and the fallback: the same doubles added in the
 * same order, compared the same way, so every score and every boundary is identical.
 * Portable C99 and the plain CPython API; built with ordinary -O2 and -ffp-contract=off (no
 * fused multiply-add, no -ffast-math, no CPU-specific flags).
 *
 * WordTable holds what Lexicon._word_logs and Lexicon._word_endings hold in Python: the
 * log-frequency of each word added so far (groups of words by last character are added as
 * a text first meets that character) and the last two characters of the longer words, and
 * the memo of Lexicon.char_logp.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define MAX_WORD 4
#define TOKEN_PENALTY 3.0

#define F_WORD 1   /* the key is a word; value is its log-frequency */
#define F_ENDING 2 /* some word of two or more characters ends with this key (two characters) */

typedef struct {
    uint32_t cp[MAX_WORD];
    uint32_t len; /* 0: empty slot */
    uint32_t flags;
    double value;
} Entry;

typedef struct {
    Entry *slots;
    size_t mask; /* capacity - 1, capacity a power of two */
    size_t used;
} Table;

typedef struct {
    PyObject_HEAD
    Table words; /* words and two-character endings */
    Table chars; /* memo of char_logp by code point */
    Py_ssize_t word_count;
    double log_total;
} WordTable;

static inline uint64_t hash_key(const uint32_t *cp, uint32_t len) {
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ len;
    for (uint32_t i = 0; i < len; i++) {
        h ^= cp[i];
        h *= 0xBF58476D1CE4E5B9ULL;
        h ^= h >> 31;
    }
    return h;
}

static int table_init(Table *t, size_t capacity) {
    t->slots = (Entry *)PyMem_Calloc(capacity, sizeof(Entry));
    if (t->slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    t->mask = capacity - 1;
    t->used = 0;
    return 0;
}

static inline Entry *table_find(const Table *t, const uint32_t *cp, uint32_t len) {
    size_t i = (size_t)hash_key(cp, len) & t->mask;
    for (;;) {
        Entry *e = &t->slots[i];
        if (e->len == 0)
            return NULL;
        if (e->len == len && memcmp(e->cp, cp, len * sizeof(uint32_t)) == 0)
            return e;
        i = (i + 1) & t->mask;
    }
}

static int table_grow(Table *t) {
    size_t capacity = (t->mask + 1) * 2;
    Entry *old = t->slots;
    size_t old_capacity = t->mask + 1;
    Entry *slots = (Entry *)PyMem_Calloc(capacity, sizeof(Entry));
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t j = 0; j < old_capacity; j++) {
        if (old[j].len == 0)
            continue;
        size_t i = (size_t)hash_key(old[j].cp, old[j].len) & (capacity - 1);
        while (slots[i].len != 0)
            i = (i + 1) & (capacity - 1);
        slots[i] = old[j];
    }
    PyMem_Free(old);
    t->slots = slots;
    t->mask = capacity - 1;
    return 0;
}

/* The entry for the key, inserted (flags 0) when absent; NULL on memory error. */
static Entry *table_insert(Table *t, const uint32_t *cp, uint32_t len) {
    if ((t->used + 1) * 2 > t->mask + 1 && table_grow(t) < 0)
        return NULL;
    size_t i = (size_t)hash_key(cp, len) & t->mask;
    for (;;) {
        Entry *e = &t->slots[i];
        if (e->len == 0) {
            memset(e, 0, sizeof(Entry));
            memcpy(e->cp, cp, len * sizeof(uint32_t));
            e->len = len;
            t->used++;
            return e;
        }
        if (e->len == len && memcmp(e->cp, cp, len * sizeof(uint32_t)) == 0)
            return e;
        i = (i + 1) & t->mask;
    }
}

static void WordTable_dealloc(WordTable *self) {
    PyMem_Free(self->words.slots);
    PyMem_Free(self->chars.slots);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int WordTable_init(WordTable *self, PyObject *args, PyObject *kwds) {
    static char *keywords[] = {"log_total", NULL};
    double log_total;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "d", keywords, &log_total))
        return -1;
    PyMem_Free(self->words.slots);
    PyMem_Free(self->chars.slots);
    self->words.slots = self->chars.slots = NULL;
    if (table_init(&self->words, 1 << 14) < 0 || table_init(&self->chars, 1 << 10) < 0)
        return -1;
    self->word_count = 0;
    self->log_total = log_total;
    return 0;
}

/* Decode one UTF-8 sequence (the cache holds text that Python encoded: valid UTF-8). */
static const unsigned char *utf8_next(const unsigned char *p, const unsigned char *end, uint32_t *out) {
    unsigned char c = *p;
    int extra;
    uint32_t cp;
    if (c < 0x80) {
        *out = c;
        return p + 1;
    }
    if ((c & 0xE0) == 0xC0) {
        cp = c & 0x1F;
        extra = 1;
    } else if ((c & 0xF0) == 0xE0) {
        cp = c & 0x0F;
        extra = 2;
    } else if ((c & 0xF8) == 0xF0) {
        cp = c & 0x07;
        extra = 3;
    } else {
        return NULL;
    }
    if (end - p <= extra)
        return NULL;
    for (int k = 1; k <= extra; k++) {
        if ((p[k] & 0xC0) != 0x80)
            return NULL;
        cp = (cp << 6) | (p[k] & 0x3F);
    }
    *out = cp;
    return p + 1 + extra;
}

PyDoc_STRVAR(add_group_doc,
             "add_group(words, logs)\n--\n\n"
             "Add a group of words: ``words`` their UTF-8 text joined by newlines (a tab ends it),\n"
             "``logs`` their log-frequencies as native doubles, in the same order.");

static PyObject *WordTable_add_group(WordTable *self, PyObject *args) {
    Py_buffer text, logs;
    if (!PyArg_ParseTuple(args, "y*y*", &text, &logs))
        return NULL;
    const unsigned char *p = (const unsigned char *)text.buf;
    const unsigned char *end = p + text.len;
    const char *values = (const char *)logs.buf; /* native doubles, read with memcpy (any alignment) */
    Py_ssize_t count = logs.len / (Py_ssize_t)sizeof(double), index = 0;
    PyObject *result = NULL;
    uint32_t cp[MAX_WORD];
    uint32_t len = 0;
    int done = 0;
    while (!done) {
        uint32_t c = 0;
        if (p >= end || *p == '\t') {
            done = 1;
        } else if (*p != '\n') {
            p = utf8_next(p, end, &c);
            if (p == NULL) {
                PyErr_SetString(PyExc_ValueError, "invalid UTF-8 in a word group");
                goto out;
            }
            if (len == MAX_WORD) {
                PyErr_SetString(PyExc_ValueError, "a word longer than MAX_WORD in a word group");
                goto out;
            }
            cp[len++] = c;
            continue;
        } else {
            p++;
        }
        if (len == 0) {
            if (done && index == 0 && count == 0)
                break;
            PyErr_SetString(PyExc_ValueError, "an empty word in a word group");
            goto out;
        }
        if (index >= count) {
            PyErr_SetString(PyExc_ValueError, "more words than log-frequencies in a word group");
            goto out;
        }
        Entry *e = table_insert(&self->words, cp, len);
        if (e == NULL)
            goto out;
        if (!(e->flags & F_WORD))
            self->word_count++;
        e->flags |= F_WORD;
        memcpy(&e->value, values + sizeof(double) * (size_t)index++, sizeof(double));
        if (len > 1) {
            Entry *ending = table_insert(&self->words, cp + len - 2, 2);
            if (ending == NULL)
                goto out;
            ending->flags |= F_ENDING;
        }
        len = 0;
    }
    if (index != count) {
        PyErr_SetString(PyExc_ValueError, "fewer words than log-frequencies in a word group");
        goto out;
    }
    result = Py_NewRef(Py_None);
out:
    PyBuffer_Release(&text);
    PyBuffer_Release(&logs);
    return result;
}

/* The code points of a str of at most MAX_WORD characters; -1 (no error set) when longer. */
static int key_of(PyObject *word, uint32_t *cp) {
    Py_ssize_t len = PyUnicode_GET_LENGTH(word);
    if (len > MAX_WORD)
        return -1;
    int kind = PyUnicode_KIND(word);
    const void *data = PyUnicode_DATA(word);
    for (Py_ssize_t i = 0; i < len; i++)
        cp[i] = PyUnicode_READ(kind, data, i);
    return (int)len;
}

PyDoc_STRVAR(get_doc, "get(word, default=None)\n--\n\nThe log-frequency of a word added so far.");

static PyObject *WordTable_get(WordTable *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs < 1 || nargs > 2) {
        PyErr_SetString(PyExc_TypeError, "get() takes a word and an optional default");
        return NULL;
    }
    PyObject *fallback = nargs == 2 ? args[1] : Py_None;
    if (!PyUnicode_Check(args[0]))
        return Py_NewRef(fallback);
    uint32_t cp[MAX_WORD];
    int len = key_of(args[0], cp);
    if (len <= 0)
        return Py_NewRef(fallback);
    Entry *e = table_find(&self->words, cp, (uint32_t)len);
    if (e == NULL || !(e->flags & F_WORD))
        return Py_NewRef(fallback);
    return PyFloat_FromDouble(e->value);
}

static Py_ssize_t WordTable_len(WordTable *self) { return self->word_count; }

static int WordTable_contains(WordTable *self, PyObject *word) {
    if (!PyUnicode_Check(word))
        return 0;
    uint32_t cp[MAX_WORD];
    int len = key_of(word, cp);
    if (len <= 0)
        return 0;
    Entry *e = table_find(&self->words, cp, (uint32_t)len);
    return e != NULL && (e->flags & F_WORD);
}

/* char_logp of one code point from the memo, or from ``fill(ch)`` (which also adds the words
 * ending in ``ch``), memoised. Returns 0, or -1 with an exception set. */
static int char_logp(WordTable *self, uint32_t c, PyObject *fill, double *out) {
    Entry *e = table_find(&self->chars, &c, 1);
    if (e != NULL) {
        *out = e->value;
        return 0;
    }
    PyObject *ch = PyUnicode_FromOrdinal((int)c);
    if (ch == NULL)
        return -1;
    PyObject *value = PyObject_CallOneArg(fill, ch);
    Py_DECREF(ch);
    if (value == NULL)
        return -1;
    double logp = PyFloat_AsDouble(value);
    Py_DECREF(value);
    if (logp == -1.0 && PyErr_Occurred())
        return -1;
    e = table_insert(&self->chars, &c, 1);
    if (e == NULL)
        return -1;
    e->value = logp;
    *out = logp;
    return 0;
}

PyDoc_STRVAR(segment_doc,
             "segment(text, fill)\n--\n\n"
             "Lexicon.segment: the score and the word ends of the best unigram segmentation.\n"
             "``fill(ch)`` gives char_logp of a character not met before (and adds its words).");

static PyObject *WordTable_segment(WordTable *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyUnicode_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "segment() takes a str and a callable");
        return NULL;
    }
    PyObject *text = args[0], *fill = args[1];
    Py_ssize_t size = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    PyObject *result = NULL;
    /* one block: code points, then char log-probabilities, best scores, back pointers */
    size_t bytes = (size_t)size * sizeof(uint32_t) + (size_t)size * sizeof(double) +
                   (size_t)(size + 1) * sizeof(double) + (size_t)(size + 1) * sizeof(Py_ssize_t);
    char *block = (char *)PyMem_Malloc(bytes ? bytes : 1);
    if (block == NULL)
        return PyErr_NoMemory();
    double *logps = (double *)block;
    double *best = logps + size;
    Py_ssize_t *back = (Py_ssize_t *)(best + size + 1);
    uint32_t *cps = (uint32_t *)(back + size + 1);
    for (Py_ssize_t i = 0; i < size; i++) {
        cps[i] = PyUnicode_READ(kind, data, i);
        if (char_logp(self, cps[i], fill, &logps[i]) < 0)
            goto out;
    }
    const double log_total = self->log_total;
    const Table *words = &self->words;
    double value = 0.0;
    best[0] = 0.0;
    back[0] = 0;
    for (Py_ssize_t end = 1; end <= size; end++) {
        value = value + logps[end - 1] - TOKEN_PENALTY;
        Py_ssize_t start_of = end - 1;
        if (end > 1) {
            const Entry *pair = table_find(words, cps + end - 2, 2);
            if (pair != NULL && (pair->flags & F_ENDING)) {
                Py_ssize_t lowest = end - MAX_WORD > 0 ? end - MAX_WORD : 0;
                for (Py_ssize_t start = end - 2; start >= lowest; start--) {
                    const Entry *e = start == end - 2 ? pair
                                                      : table_find(words, cps + start, (uint32_t)(end - start));
                    if (e != NULL && (e->flags & F_WORD)) {
                        double candidate = best[start] + e->value - log_total - TOKEN_PENALTY;
                        if (candidate > value) {
                            value = candidate;
                            start_of = start;
                        }
                    }
                }
            }
        }
        back[end] = start_of;
        best[end] = value;
    }
    Py_ssize_t count = 0;
    for (Py_ssize_t position = size; position > 0; position = back[position])
        count++;
    PyObject *ends = PyList_New(count);
    if (ends == NULL)
        goto out;
    Py_ssize_t slot = count;
    for (Py_ssize_t position = size; position > 0; position = back[position]) {
        PyObject *number = PyLong_FromSsize_t(position);
        if (number == NULL) {
            Py_DECREF(ends);
            goto out;
        }
        PyList_SET_ITEM(ends, --slot, number);
    }
    PyObject *score = PyFloat_FromDouble(best[size]);
    if (score == NULL) {
        Py_DECREF(ends);
        goto out;
    }
    result = PyTuple_Pack(2, score, ends);
    Py_DECREF(score);
    Py_DECREF(ends);
out:
    PyMem_Free(block);
    return result;
}

/* The step of Lexicon.extend for the last ``held`` (at most MAX_WORD) code points of a tail:
 * ``values[count]`` the scores before each character of the tail. 0, or -1 with an exception. */
static int extend_values(WordTable *self, const uint32_t *cps, Py_ssize_t held, const double *values,
                         Py_ssize_t count, PyObject *fill, double *out) {
    double logp, value;
    if (held == 0) {
        PyErr_SetString(PyExc_IndexError, "string index out of range");
        return -1;
    }
    if (char_logp(self, cps[held - 1], fill, &logp) < 0)
        return -1;
    if (count < 1) {
        PyErr_SetString(PyExc_IndexError, "tuple index out of range");
        return -1;
    }
    value = values[count - 1] + logp - TOKEN_PENALTY;
    if (held >= 2) {
        const Entry *pair = table_find(&self->words, cps + held - 2, 2);
        if (pair != NULL && (pair->flags & F_ENDING)) {
            const double log_total = self->log_total;
            for (Py_ssize_t length = 2; length <= held; length++) {
                const Entry *e =
                    length == 2 ? pair : table_find(&self->words, cps + held - length, (uint32_t)length);
                if (e != NULL && (e->flags & F_WORD)) {
                    if (length > count) {
                        PyErr_SetString(PyExc_IndexError, "tuple index out of range");
                        return -1;
                    }
                    double candidate = values[count - length] + e->value - log_total - TOKEN_PENALTY;
                    if (candidate > value)
                        value = candidate;
                }
            }
        }
    }
    *out = value;
    return 0;
}

/* extend_values with the scores as Python floats: only the last MAX_WORD can be read. */
static int extend_core(WordTable *self, const uint32_t *cps, Py_ssize_t held, PyObject *const *items,
                       Py_ssize_t count, PyObject *fill, double *out) {
    double values[MAX_WORD];
    Py_ssize_t first = count > MAX_WORD ? count - MAX_WORD : 0;
    for (Py_ssize_t i = first; i < count; i++) {
        values[i - first] = PyFloat_AsDouble(items[i]);
        if (values[i - first] == -1.0 && PyErr_Occurred())
            return -1;
    }
    return extend_values(self, cps, held, values, count - first, fill, out);
}

/* Append the code points of ``text`` to ``cps`` (holding ``*held``), keeping the last MAX_WORD:
 * longer words are never in the table, so nothing before them matters to a step. */
static void push_last(uint32_t *cps, Py_ssize_t *held, PyObject *text) {
    Py_ssize_t size = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    for (Py_ssize_t i = size > MAX_WORD ? size - MAX_WORD : 0; i < size; i++) {
        if (*held == MAX_WORD) {
            memmove(cps, cps + 1, (MAX_WORD - 1) * sizeof(uint32_t));
            (*held)--;
        }
        cps[(*held)++] = PyUnicode_READ(kind, data, i);
    }
}

PyDoc_STRVAR(extend_doc,
             "extend(tail, values, fill)\n--\n\n"
             "Lexicon.extend: the score after ``tail[-1]``, ``values[i]`` the score before ``tail[i]``.");

static PyObject *WordTable_extend(WordTable *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 3 || !PyUnicode_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "extend() takes a str, a sequence of floats and a callable");
        return NULL;
    }
    PyObject *values = PySequence_Fast(args[1], "extend() needs a sequence of scores");
    if (values == NULL)
        return NULL;
    uint32_t cps[MAX_WORD];
    Py_ssize_t held = 0;
    double value;
    push_last(cps, &held, args[0]);
    int failed = extend_core(self, cps, held, PySequence_Fast_ITEMS(values), PySequence_Fast_GET_SIZE(values),
                             args[2], &value);
    Py_DECREF(values);
    return failed ? NULL : PyFloat_FromDouble(value);
}

/* ---- The scoring loop of the GBK beam search (toolkit/repairs/gbk.py, _Reader._grow) ---- */

/* The fields of gbk._State, a NamedTuple. */
enum { S_SCORE, S_DECODED, S_PENDING, S_VALUES, S_TAIL, S_DROPPED, S_PENALTY, S_PRIOR, S_FIELDS };

typedef struct {
    double score;
    Py_ssize_t order; /* first insertion of its key: ties keep this order, as heapq.nlargest does */
    PyObject *state, *ch, *pending; /* borrowed */
} Option;

static int option_order(const void *a, const void *b) {
    const Option *x = (const Option *)a, *y = (const Option *)b;
    if (x->score > y->score)
        return -1;
    if (x->score < y->score)
        return 1;
    return x->order < y->order ? -1 : (x->order > y->order);
}

PyDoc_STRVAR(grow_doc,
             "grow(states, choices, pending, dropped, size, context)\n--\n\n"
             "_Reader._grow of toolkit/repairs/gbk.py over the options ``(state, ch, pending, dropped)``\n"
             "for each ``states[i]`` and each item of ``choices[i]``: a character (its pending is\n"
             "``pending``) or, when ``pending`` is None, a ``(character, pending)`` pair. Returns the\n"
             "best ``size`` as ``(score, state, ch, pending, dropped)``, best first, or None when a\n"
             "score is not a number (the caller then runs the Python loop).\n"
             "``context``: (t2s, script_cost, traditional, pairs, left, pair_bonus, drop_cost, fill).");

static PyObject *WordTable_grow(WordTable *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 6 || !PyList_Check(args[0]) || !PyList_Check(args[1]) || !PyTuple_Check(args[5]) ||
        PyTuple_GET_SIZE(args[5]) != 8) {
        PyErr_SetString(PyExc_TypeError, "grow() takes two lists, a pending, a bool, a size and a context");
        return NULL;
    }
    PyObject *states = args[0], *choices = args[1], *fixed = args[2];
    int dropped = PyObject_IsTrue(args[3]);
    Py_ssize_t size = PyLong_AsSsize_t(args[4]);
    if (dropped < 0 || (size == -1 && PyErr_Occurred()))
        return NULL;
    PyObject *t2s = PyTuple_GET_ITEM(args[5], 0), *script_cost = PyTuple_GET_ITEM(args[5], 1);
    PyObject *traditional = PyTuple_GET_ITEM(args[5], 2), *pairs = PyTuple_GET_ITEM(args[5], 3);
    PyObject *left = PyTuple_GET_ITEM(args[5], 4), *fill = PyTuple_GET_ITEM(args[5], 7);
    double bonus = PyFloat_AsDouble(PyTuple_GET_ITEM(args[5], 5));
    double drop_cost = PyFloat_AsDouble(PyTuple_GET_ITEM(args[5], 6));
    if (PyErr_Occurred())
        return NULL;
    if (!PyDict_Check(t2s) || !PyUnicode_Check(left) || !PyAnySet_Check(pairs) ||
        PyList_GET_SIZE(states) != PyList_GET_SIZE(choices)) {
        PyErr_SetString(PyExc_TypeError, "grow(): bad context or lists of different lengths");
        return NULL;
    }
    const double drop = dropped ? drop_cost : 0.0;
    PyObject *best = PyDict_New(); /* key -> index into options */
    Option *options = NULL;
    Py_ssize_t used = 0, capacity = 0;
    PyObject *result = NULL, *last = NULL, *last_two = NULL;
    if (best == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(states); i++) {
        PyObject *state = PyList_GET_ITEM(states, i);
        if (!PyTuple_Check(state) || PyTuple_GET_SIZE(state) != S_FIELDS) {
            PyErr_SetString(PyExc_TypeError, "grow(): a state is not a _State");
            goto out;
        }
        PyObject *decoded = PyTuple_GET_ITEM(state, S_DECODED), *tail = PyTuple_GET_ITEM(state, S_TAIL);
        PyObject *values = PyTuple_GET_ITEM(state, S_VALUES);
        double prior = PyFloat_AsDouble(PyTuple_GET_ITEM(state, S_PRIOR));
        if (prior == -1.0 && PyErr_Occurred())
            goto out;
        if (!PyUnicode_Check(decoded) || !PyUnicode_Check(tail) || !PyTuple_Check(values)) {
            PyErr_SetString(PyExc_TypeError, "grow(): a state is not a _State");
            goto out;
        }
        Py_ssize_t length = PyUnicode_GET_LENGTH(decoded);
        Py_CLEAR(last);
        Py_CLEAR(last_two);
        last = length ? PyUnicode_Substring(decoded, length - 1, length) : Py_NewRef(left);
        last_two = PyUnicode_Substring(decoded, length > 2 ? length - 2 : 0, length);
        /* a tuple: the options below borrow its items, which stay as they are */
        PyObject *choice = PyList_GET_ITEM(choices, i);
        if (last == NULL || last_two == NULL)
            goto out;
        if (!PyTuple_Check(choice)) {
            PyErr_SetString(PyExc_TypeError, "grow(): choices must be tuples");
            goto out;
        }
        for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(choice); j++) {
            PyObject *item = PyTuple_GET_ITEM(choice, j), *ch, *pending;
            if (fixed == Py_None) {
                if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
                    PyErr_SetString(PyExc_TypeError, "grow(): a choice is not a (character, pending) pair");
                    goto out;
                }
                ch = PyTuple_GET_ITEM(item, 0);
                pending = PyTuple_GET_ITEM(item, 1);
            } else {
                ch = item;
                pending = fixed;
            }
            if (!PyUnicode_Check(ch)) {
                PyErr_SetString(PyExc_TypeError, "grow(): a character is not a str");
                goto out;
            }
            /* extend(state.tail + t2s.get(ch, ch), state.values) - state.prior */
            PyObject *simple = PyDict_GetItemWithError(t2s, ch);
            if (simple == NULL) {
                if (PyErr_Occurred())
                    goto out;
                simple = ch;
            }
            if (!PyUnicode_Check(simple)) {
                PyErr_SetString(PyExc_TypeError, "grow(): t2s maps to a str");
                goto out;
            }
            uint32_t cps[MAX_WORD];
            Py_ssize_t held = 0;
            double score;
            push_last(cps, &held, tail);
            push_last(cps, &held, simple);
            if (extend_core(self, cps, held, &PyTuple_GET_ITEM(values, 0), PyTuple_GET_SIZE(values), fill,
                            &score) < 0)
                goto out;
            score = score - prior;
            /* score -= _script_cost(ch, traditional) + (DROP_COST if dropped else 0.0) */
            PyObject *call[2] = {ch, traditional};
            PyObject *cost = PyObject_Vectorcall(script_cost, call, 2, NULL);
            if (cost == NULL)
                goto out;
            double cost_value = PyFloat_AsDouble(cost);
            Py_DECREF(cost);
            if (cost_value == -1.0 && PyErr_Occurred())
                goto out;
            score -= cost_value + drop;
            /* a pair of characters the page holds elsewhere */
            PyObject *pair = PyUnicode_Concat(last, ch);
            if (pair == NULL)
                goto out;
            int known_pair = PySet_Contains(pairs, pair);
            Py_DECREF(pair);
            if (known_pair < 0)
                goto out;
            if (known_pair)
                score += bonus;
            if (score != score) { /* NaN: Python's ordering of it is its own; let Python do it */
                result = Py_NewRef(Py_None);
                goto out;
            }
            PyObject *key = PyTuple_Pack(3, last_two, ch, pending);
            if (key == NULL)
                goto out;
            PyObject *index = PyDict_GetItemWithError(best, key);
            if (index == NULL) {
                if (PyErr_Occurred()) {
                    Py_DECREF(key);
                    goto out;
                }
                if (used == capacity) {
                    Py_ssize_t grown = capacity ? capacity * 2 : 64;
                    Option *more = (Option *)PyMem_Realloc(options, (size_t)grown * sizeof(Option));
                    if (more == NULL) {
                        Py_DECREF(key);
                        PyErr_NoMemory();
                        goto out;
                    }
                    options = more;
                    capacity = grown;
                }
                PyObject *number = PyLong_FromSsize_t(used);
                if (number == NULL || PyDict_SetItem(best, key, number) < 0) {
                    Py_XDECREF(number);
                    Py_DECREF(key);
                    goto out;
                }
                Py_DECREF(number);
                options[used] = (Option){score, used, state, ch, pending};
                used++;
            } else {
                Option *known = &options[PyLong_AsSsize_t(index)];
                if (score > known->score) {
                    known->score = score;
                    known->state = state;
                    known->ch = ch;
                    known->pending = pending;
                }
            }
            Py_DECREF(key);
        }
    }
    if (used > 1)
        qsort(options, (size_t)used, sizeof(Option), option_order);
    Py_ssize_t kept = size < used ? (size > 0 ? size : 0) : used;
    result = PyList_New(kept);
    if (result == NULL)
        goto out;
    for (Py_ssize_t k = 0; k < kept; k++) {
        PyObject *score = PyFloat_FromDouble(options[k].score);
        PyObject *entry = score ? PyTuple_Pack(5, score, options[k].state, options[k].ch, options[k].pending,
                                               dropped ? Py_True : Py_False)
                                : NULL;
        Py_XDECREF(score);
        if (entry == NULL) {
            Py_CLEAR(result);
            goto out;
        }
        PyList_SET_ITEM(result, k, entry);
    }
out:
    /* the borrowed pointers in options stay valid: the caller holds states and choices */
    Py_XDECREF(last);
    Py_XDECREF(last_two);
    Py_DECREF(best);
    PyMem_Free(options);
    return result;
}

PyDoc_STRVAR(walk_doc,
             "walk(base, added, pending, dropped, context)\n--\n\n"
             "_Reader._state of toolkit/repairs/gbk.py: the _State ``base`` extended by the characters\n"
             "``added``, or None for what only the Python code handles (a tail longer than a word, a\n"
             "character whose simplified form is not one character).\n"
             "``context``: (t2s, script_cost, traditional, pairs, left, pair_bonus, drop_cost, fill, State).");

static PyObject *WordTable_walk(WordTable *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 5 || !PyTuple_Check(args[0]) || PyTuple_GET_SIZE(args[0]) != S_FIELDS ||
        !PyUnicode_Check(args[1]) || !PyTuple_Check(args[4]) || PyTuple_GET_SIZE(args[4]) != 9) {
        PyErr_SetString(PyExc_TypeError, "walk() takes a _State, a str, a pending, a bool and a context");
        return NULL;
    }
    PyObject *base = args[0], *added = args[1], *pending = args[2], *context = args[4];
    int dropped = PyObject_IsTrue(args[3]);
    if (dropped < 0)
        return NULL;
    PyObject *t2s = PyTuple_GET_ITEM(context, 0), *script_cost = PyTuple_GET_ITEM(context, 1);
    PyObject *traditional = PyTuple_GET_ITEM(context, 2), *pairs = PyTuple_GET_ITEM(context, 3);
    PyObject *left = PyTuple_GET_ITEM(context, 4), *fill = PyTuple_GET_ITEM(context, 7);
    PyObject *state_type = PyTuple_GET_ITEM(context, 8);
    double bonus = PyFloat_AsDouble(PyTuple_GET_ITEM(context, 5));
    double drop_cost = PyFloat_AsDouble(PyTuple_GET_ITEM(context, 6));
    if (PyErr_Occurred())
        return NULL;
    PyObject *decoded = PyTuple_GET_ITEM(base, S_DECODED), *tail = PyTuple_GET_ITEM(base, S_TAIL);
    PyObject *base_values = PyTuple_GET_ITEM(base, S_VALUES);
    if (!PyDict_Check(t2s) || !PyAnySet_Check(pairs) || !PyUnicode_Check(left) || !PyType_Check(state_type) ||
        !PyUnicode_Check(decoded) || !PyUnicode_Check(tail) || !PyTuple_Check(base_values)) {
        PyErr_SetString(PyExc_TypeError, "walk(): bad state or context");
        return NULL;
    }
    Py_ssize_t held = PyUnicode_GET_LENGTH(tail), count = PyTuple_GET_SIZE(base_values);
    if (held > MAX_WORD - 1 || count != held + 1)
        Py_RETURN_NONE;
    uint32_t cps[MAX_WORD];
    double values[MAX_WORD + 1];
    for (Py_ssize_t i = 0; i < held; i++)
        cps[i] = PyUnicode_READ(PyUnicode_KIND(tail), PyUnicode_DATA(tail), i);
    for (Py_ssize_t i = 0; i < count; i++) {
        values[i] = PyFloat_AsDouble(PyTuple_GET_ITEM(base_values, i));
        if (values[i] == -1.0 && PyErr_Occurred())
            return NULL;
    }
    PyObject *result = NULL, *before = NULL, *ch = NULL;
    Py_ssize_t length = PyUnicode_GET_LENGTH(decoded);
    before = length ? PyUnicode_Substring(decoded, length - 1, length) : Py_NewRef(left);
    if (before == NULL)
        return NULL;
    double prior = 0.0;
    Py_ssize_t size = PyUnicode_GET_LENGTH(added);
    for (Py_ssize_t k = 0; k < size; k++) {
        Py_CLEAR(ch);
        ch = PyUnicode_Substring(added, k, k + 1);
        if (ch == NULL)
            goto out;
        PyObject *simple = PyDict_GetItemWithError(t2s, ch);
        if (simple == NULL) {
            if (PyErr_Occurred())
                goto out;
            simple = ch;
        }
        if (!PyUnicode_Check(simple) || PyUnicode_GET_LENGTH(simple) != 1) {
            result = Py_NewRef(Py_None);
            goto out;
        }
        /* grown = tail + simple; value = extend(grown, values) */
        cps[held++] = PyUnicode_READ_CHAR(simple, 0);
        double value;
        if (extend_values(self, cps, held, values, count, fill, &value) < 0)
            goto out;
        /* tail = grown[1:] if len(grown) == MAX_WORD else grown; values = (*values[-len(tail):], value) */
        if (held == MAX_WORD) {
            memmove(cps, cps + 1, (MAX_WORD - 1) * sizeof(uint32_t));
            held--;
        }
        memmove(values, values + count - held, (size_t)held * sizeof(double));
        values[held] = value;
        count = held + 1;
        /* prior += _script_cost(ch, traditional) - (DOCUMENT_PAIR_BONUS if before + ch in pairs else 0.0) */
        PyObject *call[2] = {ch, traditional};
        PyObject *cost = PyObject_Vectorcall(script_cost, call, 2, NULL);
        if (cost == NULL)
            goto out;
        double cost_value = PyFloat_AsDouble(cost);
        Py_DECREF(cost);
        if (cost_value == -1.0 && PyErr_Occurred())
            goto out;
        PyObject *pair = PyUnicode_Concat(before, ch);
        if (pair == NULL)
            goto out;
        int known_pair = PySet_Contains(pairs, pair);
        Py_DECREF(pair);
        if (known_pair < 0)
            goto out;
        prior += cost_value - (known_pair ? bonus : 0.0);
        Py_SETREF(before, Py_NewRef(ch));
    }
    {
        double drop = dropped ? drop_cost : 0.0;
        double base_prior = PyFloat_AsDouble(PyTuple_GET_ITEM(base, S_PRIOR));
        double base_penalty = PyFloat_AsDouble(PyTuple_GET_ITEM(base, S_PENALTY));
        if (PyErr_Occurred())
            goto out;
        prior += base_prior + drop;
        PyObject *items[S_FIELDS] = {NULL};
        items[S_SCORE] = PyFloat_FromDouble(values[count - 1] - prior);
        items[S_DECODED] = PyUnicode_Concat(decoded, added);
        items[S_PENDING] = Py_NewRef(pending);
        items[S_VALUES] = PyTuple_New(count);
        items[S_TAIL] = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, cps, held);
        items[S_DROPPED] = PyNumber_Add(PyTuple_GET_ITEM(base, S_DROPPED), dropped ? Py_True : Py_False);
        items[S_PENALTY] = PyFloat_FromDouble(base_penalty + drop);
        items[S_PRIOR] = PyFloat_FromDouble(prior);
        int failed = 0;
        for (int f = 0; f < S_FIELDS; f++)
            failed |= items[f] == NULL;
        if (!failed) {
            for (Py_ssize_t i = 0; i < count && !failed; i++) {
                PyObject *number = PyFloat_FromDouble(values[i]);
                failed = number == NULL;
                if (number != NULL)
                    PyTuple_SET_ITEM(items[S_VALUES], i, number);
            }
        }
        PyObject *fields = failed ? NULL : PyTuple_New(S_FIELDS);
        if (fields != NULL) {
            for (int f = 0; f < S_FIELDS; f++) {
                PyTuple_SET_ITEM(fields, f, items[f]);
                items[f] = NULL;
            }
            /* _State(...) is tuple.__new__(_State, fields), as a NamedTuple's __new__ does */
            PyObject *call_args = PyTuple_Pack(1, fields);
            if (call_args != NULL) {
                result = PyTuple_Type.tp_new((PyTypeObject *)state_type, call_args, NULL);
                Py_DECREF(call_args);
            }
            Py_DECREF(fields);
        }
        for (int f = 0; f < S_FIELDS; f++)
            Py_XDECREF(items[f]);
    }
out:
    Py_XDECREF(before);
    Py_XDECREF(ch);
    return result;
}

static PyMethodDef WordTable_methods[] = {
    {"add_group", (PyCFunction)WordTable_add_group, METH_VARARGS, add_group_doc},
    {"get", (PyCFunction)(void (*)(void))WordTable_get, METH_FASTCALL, get_doc},
    {"segment", (PyCFunction)(void (*)(void))WordTable_segment, METH_FASTCALL, segment_doc},
    {"extend", (PyCFunction)(void (*)(void))WordTable_extend, METH_FASTCALL, extend_doc},
    {"grow", (PyCFunction)(void (*)(void))WordTable_grow, METH_FASTCALL, grow_doc},
    {"walk", (PyCFunction)(void (*)(void))WordTable_walk, METH_FASTCALL, walk_doc},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods WordTable_as_sequence = {
    .sq_length = (lenfunc)WordTable_len,
    .sq_contains = (objobjproc)WordTable_contains,
};

static PyTypeObject WordTableType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "toolkit._native.WordTable",
    .tp_doc = PyDoc_STR("WordTable(log_total): words by log-frequency, and the unigram segmentation."),
    .tp_basicsize = sizeof(WordTable),
    .tp_itemsize = 0,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)WordTable_init,
    .tp_dealloc = (destructor)WordTable_dealloc,
    .tp_methods = WordTable_methods,
    .tp_as_sequence = &WordTable_as_sequence,
};

static struct PyModuleDef native_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "toolkit._native",
    .m_doc = "The lexicon's word table and unigram segmentation in C (see toolkit/lexicon.py).",
    .m_size = -1,
};

PyMODINIT_FUNC PyInit__native(void) {
    if (PyType_Ready(&WordTableType) < 0)
        return NULL;
    PyObject *module = PyModule_Create(&native_module);
    if (module == NULL)
        return NULL;
    if (PyModule_AddObjectRef(module, "WordTable", (PyObject *)&WordTableType) < 0 ||
        PyModule_AddIntConstant(module, "MAX_WORD", MAX_WORD) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
