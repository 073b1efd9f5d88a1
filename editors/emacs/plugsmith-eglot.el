;;; plugsmith-eglot.el --- plugsmith language server for eglot  -*- lexical-binding: t; -*-

;; Diagnostics for Kili, Panoptes, Supervisely, Flowdapt and ArchiHub plugins.
;; Emacs 29+ (eglot built in; Emacs 28: M-x package-install RET eglot).
;;
;; Usage: (load "/path/to/editors/emacs/plugsmith-eglot.el") then M-x eglot in a plugin file,
;; or (add-hook 'python-mode-hook #'eglot-ensure) for every Python buffer.
;;
;; Rule selection (sent as initializationOptions), e.g. in .dir-locals.el or init.el:
;;   (setq plugsmith-eglot-initialization-options '(:select ["KIL" "PAN"] :ignore ["PAN010"]))

;;; Code:

(require 'eglot)

(defgroup plugsmith nil
  "plugsmith language server."
  :group 'tools)

(defcustom plugsmith-eglot-command '("plugsmith" "server")
  "Command that starts the plugsmith language server."
  :type '(repeat string)
  :group 'plugsmith)

(defcustom plugsmith-eglot-initialization-options '(:ignore [])
  "initializationOptions: (:select [CODES...] :ignore [CODES...]).
`:select' replaces the configuration file's select, `:ignore' adds to its ignore."
  :type 'sexp
  :group 'plugsmith)

(defconst plugsmith-eglot-modes
  '(python-mode python-ts-mode
    json-mode json-ts-mode js-json-mode
    yaml-mode yaml-ts-mode
    toml-mode toml-ts-mode conf-toml-mode
    conf-mode conf-unix-mode conf-windows-mode)
  "Major modes whose buffers plugsmith checks.")

;; .panoptes-plugin files are INI (configparser): open them in conf-unix-mode.
(add-to-list 'auto-mode-alist '("\\.panoptes-plugin\\'" . conf-unix-mode))
;; Supervisely's VERSION file.
(add-to-list 'auto-mode-alist '("/VERSION\\'" . conf-unix-mode))

(add-to-list 'eglot-server-programs
             `(,plugsmith-eglot-modes
               . ,(lambda (&optional _interactive _project)
                    (append plugsmith-eglot-command
                            (list :initializationOptions
                                  plugsmith-eglot-initialization-options)))))

(provide 'plugsmith-eglot)
;;; plugsmith-eglot.el ends here
