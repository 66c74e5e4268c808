/* prim_file.h — what the rest of the VM needs from nifs/prim_file.c. */
#ifndef CB_PRIM_FILE_H
#define CB_PRIM_FILE_H

struct Process;
/* Closes the files p still has open (p is exiting): OTP's monitor of a
 * file handle's owner. Cheap when no file is open anywhere. */
void prim_file_on_owner_exit(struct Process *p);

#endif
