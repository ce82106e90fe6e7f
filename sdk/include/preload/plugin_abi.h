/* Copyright the PreloadSDK authors.
 *
 * preload/plugin_abi.h — the plain-C structures a loader reads from a plugin
 * after it has been verified and mapped.
 *
 * Rich C++ types stay off this first contact: a loader finds one unique,
 * non-weak symbol on the plugin's own handle (its name is the fingerprint's
 * `descriptor` field), checks `abi_version` and `entry_size`, then walks the
 * entries. Each PRELOAD_EXPORT or PRELOAD_PLUGIN_INIT in the plugin's sources
 * adds one entry to the `preload_entries_v1` section; the linker gathers them.
 * Users never include this header directly; <preload/plugin.h> does.
 */
#ifndef PRELOAD_PLUGIN_ABI_H_
#define PRELOAD_PLUGIN_ABI_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What an entry is. Entries of any other kind are skipped, so later versions
 * can add kinds without breaking older loaders. */
enum {
  PRELOAD_ENTRY_PADDING = 0, /* placed by the generated code; ignored */
  PRELOAD_ENTRY_EXPORT = 1,  /* a function or variable, by name and type */
  PRELOAD_ENTRY_INIT = 2     /* the PRELOAD_PLUGIN_INIT trampoline */
};

/* How an init trampoline reports its outcome: an absl::StatusCode as int and
 * a message (not NUL-terminated). Called exactly once per init call. */
typedef void (*preload_report_fn)(void* context, int code, const char* message,
                                  size_t length);
typedef void (*preload_init_fn)(void* context, preload_report_fn report);

typedef struct preload_entry_v1 {
  uint32_t kind;
  /* The export's name, as passed to Plugin::Lookup. */
  const char* name;
  /* The export's type in preload::TypeName spelling. NULL for init. Since
   * the export records, it returns characters of the record (see below). */
  const char* (*type_name)(void);
  /* The export's address, or for init the preload_init_fn trampoline. */
  void* (*address)(void);
} preload_entry_v1;

typedef struct preload_descriptor_v1 {
  uint32_t abi_version; /* PRELOAD_SDK_ABI_VERSION of the plugin's build */
  uint32_t entry_size;  /* sizeof(preload_entry_v1) of the plugin's build */
  const preload_entry_v1* entries_begin;
  const preload_entry_v1* entries_end;
} preload_descriptor_v1;

#define PRELOAD_ENTRY_SECTION "preload_entries_v1"
#define PRELOAD_DESCRIPTOR_PREFIX "preload_descriptor_"

/* The export records: what a plugin exports, readable from its file without
 * running or mapping it (`preload inspect`). Each PRELOAD_EXPORT and
 * PRELOAD_PLUGIN_INIT also writes one ELF note, owner PRELOAD_NOTE_OWNER and
 * type PRELOAD_EXPORT_NOTE_TYPE, into PRELOAD_EXPORT_NOTE_SECTION; the linker
 * gathers them into a PT_NOTE segment, which survives `strip --strip-all`.
 * A record is plain characters, so it needs no relocation and reads the same
 * in either byte order:
 *
 *   desc[0]  PRELOAD_EXPORT_RECORD_FORMAT
 *   desc[1]  the kind: one of PRELOAD_RECORD_*
 *   desc[2]  the name, NUL, the type's preload::TypeName spelling, NUL
 *            (the type is empty for an init and for the table's marker)
 *
 * and nothing after the second NUL. The entry of the same export points at
 * these very characters (its `name`, and what its `type_name` returns), so
 * the loader compares what the file says. The generated fingerprint source
 * adds one PRELOAD_RECORD_TABLE record with an empty name: its presence says
 * the plugin records its exports, so a plugin without it was built by an SDK
 * that did not (0.1.0's first entry ABI), and one with it and nothing else
 * exports nothing. Static plugins write no records (their host's notes would
 * mix them). */
#define PRELOAD_EXPORT_NOTE_SECTION ".note.preload.exports"
#define PRELOAD_EXPORT_NOTE_TYPE 0x45505250u /* "PRPE", little-endian */
#define PRELOAD_EXPORT_RECORD_FORMAT 1
enum {
  PRELOAD_RECORD_FUNCTION = 'F',
  PRELOAD_RECORD_VARIABLE = 'V',
  PRELOAD_RECORD_INIT = 'I',
  PRELOAD_RECORD_TABLE = 'T'
};

/* A static plugin (add_preload_plugin(<p> STATIC ...)) is linked into its
 * host, so there is no handle to find its descriptor on and no file to read
 * its note from. Instead each one adds a record to this section of the
 * executable, where the loader finds it: plain data, so nothing of the plugin
 * runs before it is verified. Its entries get a section of their own,
 * PRELOAD_ENTRY_SECTION "_" <descriptor suffix>, so that the entries of two
 * static plugins are never gathered into one table. */
#define PRELOAD_STATIC_PLUGIN_SECTION "preload_static_plugins_v1"

typedef struct preload_static_plugin_v1 {
  uint32_t abi_version; /* PRELOAD_SDK_ABI_VERSION; 0 marks padding */
  uint32_t size;        /* sizeof(preload_static_plugin_v1) of its build */
  const char* payload;  /* the fingerprint payload, as in the note */
  size_t payload_size;
  const preload_descriptor_v1* descriptor;
} preload_static_plugin_v1;

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif /* PRELOAD_PLUGIN_ABI_H_ */
